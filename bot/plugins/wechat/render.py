"""Bot messages → WeChat text: messages joined by blank lines, buttons as numbered choices,
Markdown stripped, long answers split within WeChat's size limit, and a reply such as "1", "１"
or "一" mapped back to the button it names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping, Optional, Sequence

from policies.text import halfwidth

# WeChat's limit for a text message (passive reply and customer-service message) is commonly given as
# 2048 bytes of UTF-8; chunks stay a little under it.
MAX_TEXT_BYTES = 2000
CHOICE_LEAD = "回复数字即可："
CONTINUED = "（接下条）"

_CN_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_CHOICE = re.compile(r"^(?:选|第)?\s*([0-9０-９]{1,2}|[一二两三四五六七八九十])\s*(?:个|项|号)?\s*[.。．、]?$")


@dataclass
class Rendered:
    """What one turn of the bot becomes on WeChat."""

    text: str
    buttons: List[Dict[str, str]] = field(default_factory=list)


def strip_markdown(text: str) -> str:
    """Plain text WeChat shows as written: no **bold**, `code`, # headings or [links](url)."""
    text = re.sub(r"!\[([^\]]*)\]\(([^)]+)\)", r"\1 \2", text)
    text = re.sub(r"\[([^\]]+)\]\(([^)]+)\)", r"\1（\2）", text)
    text = re.sub(r"(\*\*|__)(.+?)\1", r"\2", text)
    text = re.sub(r"(?<![\w*])\*(?!\s)([^*\n]+?)\*(?!\w)", r"\1", text)
    text = re.sub(r"`{1,3}([^`]*)`{1,3}", r"\1", text)
    text = re.sub(r"^\s{0,3}#{1,6}\s*", "", text, flags=re.MULTILINE)
    text = re.sub(r"^\s{0,3}>\s?", "", text, flags=re.MULTILINE)
    text = re.sub(r"^\s*[-*+]\s+", "· ", text, flags=re.MULTILINE)
    return text.strip()


def render(messages: Sequence[Mapping[str, Any]]) -> Rendered:
    """Join one turn's bot messages; the last message's buttons become numbered choices."""
    parts: List[str] = []
    buttons: List[Dict[str, str]] = []
    for msg in messages:
        text = strip_markdown(str(msg.get("text") or ""))
        if text:
            parts.append(text)
        for link in (msg.get("image"), (msg.get("attachment") or None)):
            if isinstance(link, str) and link:
                parts.append(link)
        if msg.get("buttons") or msg.get("quick_replies"):
            buttons = [
                {"title": str(b.get("title", "")), "payload": str(b.get("payload", b.get("title", "")))}
                for b in (msg.get("buttons") or msg.get("quick_replies") or [])
            ]
    if buttons:
        lines = [f"{i}. {b['title']}" for i, b in enumerate(buttons, 1)]
        parts.append(CHOICE_LEAD + "\n" + "\n".join(lines))
    return Rendered(text="\n\n".join(parts), buttons=buttons)


def _cut(text: str, limit: int) -> int:
    """Index of the largest prefix of ``text`` within ``limit`` UTF-8 bytes."""
    size = 0
    for i, ch in enumerate(text):
        size += len(ch.encode("utf-8"))
        if size > limit:
            return i
    return len(text)


def split_text(text: str, limit: int = MAX_TEXT_BYTES) -> List[str]:
    """Split into messages of at most ``limit`` bytes, at a paragraph, line or sentence end when one
    is near; every chunk but the last ends with "（接下条）"."""
    budget = limit - len(CONTINUED.encode("utf-8"))
    chunks: List[str] = []
    rest = text.strip()
    while len(rest.encode("utf-8")) > limit:
        hard = _cut(rest, budget)
        window = rest[:hard]
        cut = -1
        for sep in ("\n\n", "\n", "。", "；", "，"):
            pos = window.rfind(sep)
            if pos >= hard // 2:
                cut = pos + len(sep)
                break
        if cut <= 0:
            cut = hard
        chunks.append(rest[:cut].rstrip() + CONTINUED)
        rest = rest[cut:].lstrip()
    if rest:
        chunks.append(rest)
    return chunks


def choice_number(reply: str) -> Optional[int]:
    """ "1", "１", "一", "选2", "第三个" → the number; anything else → None."""
    m = _CHOICE.match((reply or "").strip())
    if not m:
        return None
    token = m.group(1)
    if token in _CN_DIGITS:
        return _CN_DIGITS[token]
    return int(halfwidth(token))


def choice_payload(reply: str, buttons: Sequence[Mapping[str, str]]) -> Optional[str]:
    """The payload of the offered button the reply names by number, if any."""
    n = choice_number(reply)
    if n is None or not 1 <= n <= len(buttons):
        return None
    return buttons[n - 1]["payload"]
