"""Text at the door of every channel (bot.plugins.channels.limits): whatever code points arrive,
what goes on to the NLU and the stores is text they can take; a conversation id is one printable
line."""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from bot.plugins.channels.limits import clean_text, valid_sender_id


def test_broken_and_invisible_characters_are_replaced_or_dropped():
    assert clean_text("评审费多少\ud83d") == "评审费多少\ufffd"  # half an emoji
    assert clean_text("长治\x00中级\x1b[31m评审费\r") == "长治中级[31m评审费"
    assert clean_text("a\U000e0080b\ufdd0c\uffff") == "a\ufffdb\ufffdc\ufffd"  # unassigned, noncharacters
    assert clean_text("第一行\n\t第二行😀") == "第一行\n\t第二行😀"  # what people type stays


@given(st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x10FFFF), max_size=60))
def test_any_text_comes_out_as_valid_utf8_without_control_characters(text):
    out = clean_text(text)
    out.encode("utf-8")  # raises on a lone surrogate
    assert all(ch in "\n\t" or unicodedata.category(ch) not in ("Cc", "Cs", "Cn") for ch in out)
    assert len(out) <= len(text)


@given(st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs", "Cn", "Zl", "Zp")), min_size=1, max_size=60))
def test_printable_text_is_unchanged(text):
    if not any(0xFDD0 <= ord(c) <= 0xFDEF or (ord(c) & 0xFFFE) == 0xFFFE for c in text):
        assert clean_text(text) == text


def test_a_conversation_id_is_one_printable_line():
    assert valid_sender_id("u1") and valid_sender_id("微信用户-3") and valid_sender_id("x" * 128)
    for bad in ("u1\nINFO forged", "u1\r", "a\u2028b", "\x1b[2J", "", " ", "x" * 129, "\ud83d", 5, None):
        assert not valid_sender_id(bad), repr(bad)
