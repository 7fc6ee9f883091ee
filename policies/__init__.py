"""Notice data and rules for engineering-series title evaluations — no Rasa, no chat, no HTTP.

Public API::

    load_notices(directory=None) -> NoticeIndex     # validate and index every notice file
    load_notice_file(path) -> Notice                 # one file; NoticeFileError on any problem
    resolve(index, region, level) -> Resolution      # which notice a question is about
    answer(notice, topic, today, level, window_kind) -> Answer   # a whole topic, as text
    QA(index).answer(text, today, region, level, intent) -> Reply  # the question asked: scope first,
                                                     # then the notice's best items, each with its clause
    render_text(reply) -> str                        # the chat's rendering of a Reply
"""
from policies.answers import ANSWER_TOPICS, Answer, answer
from policies.index import NoticeIndex
from policies.loader import NoticeFileError, load_notice_file, load_notices
from policies.qa import QA, Reply, ReplyItem, render_text
from policies.resolve import Resolution, resolve
from policies.schema import LEVEL_NAMES, LEVEL_ORDER, Notice
from policies.windows import WindowStatus, status

__all__ = [
    "ANSWER_TOPICS",
    "Answer",
    "LEVEL_NAMES",
    "LEVEL_ORDER",
    "Notice",
    "NoticeFileError",
    "NoticeIndex",
    "QA",
    "Reply",
    "ReplyItem",
    "Resolution",
    "WindowStatus",
    "answer",
    "load_notice_file",
    "load_notices",
    "render_text",
    "resolve",
    "status",
]
