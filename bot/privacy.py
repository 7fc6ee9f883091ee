"""Mask personal identifiers before anything is stored or logged.

Mainland ID-card numbers (18 characters, last may be X) keep their last 4 characters; mobile
numbers keep the first 3 and last 4 digits. Full-width digits are recognised too; the text keeps
its length, so nothing around the number moves.
"""
from __future__ import annotations

import re

_HALF = {cp: cp - 0xFEE0 for cp in range(0xFF10, 0xFF1A)}  # ０-９
_HALF.update({0xFF38: ord("X"), 0xFF58: ord("x")})  # Ｘ ｘ
_ID = re.compile(r"(?<![0-9])[1-9][0-9]{16}[0-9Xx](?![0-9Xx])")
_MOBILE = re.compile(r"(?<![0-9])1[3-9][0-9]{9}(?![0-9])")


def mask_personal(text: str) -> str:
    if not text:
        return text
    probe = text.translate(_HALF)
    chars = list(text)
    for m in _ID.finditer(probe):
        for i in range(m.start(), m.end() - 4):
            chars[i] = "*"
    for m in _MOBILE.finditer(probe):
        for i in range(m.start() + 3, m.end() - 4):
            chars[i] = "*"
    return "".join(chars)
