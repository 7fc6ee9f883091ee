"""Characters as applicants type them, made comparable: full-width → half-width, traditional →
simplified, one character for one (offsets into the text stay valid). No import of the project: the
notice index, the answers and the fact reader all use it."""

from __future__ import annotations

# Full-width ASCII (！ … ～) and the ideographic space → their half-width forms, one for one. The one
# table of the project: the NLU, the case-code reader, WeChat's numbered choices and the masking use it.
FULLWIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
FULLWIDTH[0x3000] = 0x20


def halfwidth(text: str) -> str:
    """Full-width letters, digits, punctuation and spaces → half-width; nothing else changes."""
    return text.translate(FULLWIDTH)


def normalize(text: str) -> str:
    """Traditional → simplified and full-width → half-width, one character for one."""
    from hanziconv import HanziConv

    half = halfwidth(text)
    simplified = HanziConv.toSimplified(half)
    # HanziConv maps character by character; guard the invariant the offsets rely on.
    return simplified if len(simplified) == len(half) else half
