"""The hotline staff lookup service: an aiohttp app behind a login (``python -m bot.staff serve``).

Answers with the clause to read out, notice pages, assessment on a caller's behalf, case lookup
with the chat transcript, and the inbox of messages the assistant could not answer. Everything it
says comes from ``policies/`` (the same code the assistant uses); nothing here holds a fact.
"""
