"""Notice data and rules for engineering-series title evaluations — no Rasa, no chat, no HTTP.

Public API::

    load_notices(directory=None) -> NoticeIndex     # validate and index every notice file
    load_notice_file(path) -> Notice                 # one file; NoticeFileError on any problem
    resolve(index, region, level) -> Resolution      # which notice a question is about
    QA(index).answer(text, today, region, level, intent) -> Reply  # the question asked: scope first,
                                                     # then the notice's best items, each with its clause
    QA(index).topic_reply(notice, topic, today, level) -> Reply   # a whole topic (查看全部)
    render_text(reply) -> str                        # the chat's rendering of a Reply
"""

from policies.answers import ANSWER_TOPICS
from policies.index import NoticeIndex
from policies.loader import NoticeFileError, load_notice_file, load_notices
from policies.qa import QA, Reply, ReplyItem, render_text
from policies.resolve import Resolution, resolve
from policies.schema import LEVEL_NAMES, LEVEL_ORDER, Notice
from policies.windows import WindowStatus, status

__all__ = [
    "ANSWER_TOPICS",
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
    "load_notice_file",
    "load_notices",
    "render_text",
    "resolve",
    "status",
]
