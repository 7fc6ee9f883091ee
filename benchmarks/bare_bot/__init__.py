"""A bare Rasa 3.6 bot with the default recipe, trained on this project's FAQ and chitchat NLU data.

It is the yardstick of ``benchmarks/turn_cost.py``: what a turn costs in Rasa itself, with no custom
NLU component, no custom action, no custom tracker store. ``build.ensure_bare_model`` generates and
trains it once into ``build/bench/bare/`` and reuses the model while its inputs are unchanged.
"""
