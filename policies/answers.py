"""What answers share: the topics one can ask about and how a contact is read out.

The answers themselves are :mod:`policies.qa` (the question asked, or a whole topic), built from
the notice items of :mod:`policies.items`.
"""

from __future__ import annotations

from policies.schema import TOPICS, Contact

# Topics an applicant can ask about, beyond the plain item lists of TOPICS.
ANSWER_TOPICS = {**TOPICS, "fees": "评审费", "windows": "时间安排", "contacts": "联系方式", "notes": "注意事项"}
# What can be rated 有帮助 / 没帮助: the answers' topics and the pre-assessment's verdict.
VERDICT_TOPIC = "assessment"
RATED_TOPICS = {**ANSWER_TOPICS, VERDICT_TOPIC: "预评估结论"}


def contact_line(contact: Contact) -> str:
    parts = [contact.name]
    if contact.person:
        parts.append(contact.person)
    if contact.phones:
        parts.append("电话 " + "、".join(contact.phones))
    if contact.address:
        parts.append(contact.address)
    if contact.email and not contact.phones:
        parts.append("邮箱 " + contact.email)
    return "，".join(parts)
