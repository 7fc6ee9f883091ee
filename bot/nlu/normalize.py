"""Text normalisation that keeps every character at its index (entity offsets stay valid).

Traditional → simplified characters, full-width ASCII and digits → half-width, ideographic
space → space.
"""
from __future__ import annotations

from hanziconv import HanziConv

_FULLWIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_FULLWIDTH[0x3000] = 0x20


def normalize(text: str) -> str:
    half = text.translate(_FULLWIDTH)
    simplified = HanziConv.toSimplified(half)
    # HanziConv maps character by character; guard the invariant the offsets rely on.
    return simplified if len(simplified) == len(half) else half
