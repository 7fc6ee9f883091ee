"""Signatures and the safe-mode envelope, checked against an independent implementation
(tests/channels/wechat/reference.py: hand-written CBC over single AES blocks)."""

import base64
import hashlib
import os

import pytest

from bot.plugins.wechat.crypto import (
    CryptoError,
    MessageCrypto,
    aes_key,
    signature,
    signature_matches,
)
from tests.channels.wechat import reference

KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
APP_ID = "wxb11529c136998cb6"
XML = "<xml><ToUserName><![CDATA[gh_1]]></ToUserName><Content><![CDATA[长治中级评审费多少]]></Content></xml>"


def test_signature_is_sha1_of_the_sorted_parts():
    # token, timestamp, nonce sorted: "1409304348" < "pamtest" < "xxxxxx"
    assert signature("pamtest", "1409304348", "xxxxxx") == hashlib.sha1(b"1409304348pamtestxxxxxx").hexdigest()
    assert signature("pamtest", "1409304348", "xxxxxx", "ENC") == reference.sha1_signature(
        "pamtest", "1409304348", "xxxxxx", "ENC"
    )
    assert signature_matches(["a", "b", "c"], signature("c", "a", "b").upper())
    assert not signature_matches(["a", "b", "c"], signature("a", "b", "d"))
    assert not signature_matches(["a", "b", "c"], "")


def test_key_is_the_base64_of_the_encoding_aes_key_plus_equals():
    assert aes_key(KEY) == base64.b64decode(KEY + "=") and len(aes_key(KEY)) == 32
    for bad in ("", KEY[:-1], KEY + "A", "!" * 43):
        with pytest.raises(CryptoError):
            aes_key(bad)


def test_encryption_matches_the_reference_byte_for_byte():
    random16 = b"\x01" * 16
    ours = MessageCrypto(KEY, APP_ID).encrypt(XML, random16)
    assert ours == reference.encrypt(KEY, APP_ID, XML, random16)
    # the layout WeChat specifies: 16 random bytes, 4-byte big-endian length, message, AppID, PKCS#7 to 32
    raw = base64.b64decode(ours)
    assert len(raw) % 32 == 0


@pytest.mark.parametrize("message", [XML, "", "x" * 11, "评" * 1000, "<xml/>" + "a" * (32 - 16 - 4 - len(APP_ID) - 6)])
def test_round_trips_both_ways(message):
    crypto = MessageCrypto(KEY, APP_ID)
    assert crypto.decrypt(reference.encrypt(KEY, APP_ID, message, os.urandom(16))) == message
    assert reference.decrypt(KEY, crypto.encrypt(message)) == (message, APP_ID)
    assert crypto.decrypt(crypto.encrypt(message)) == message


def test_another_app_id_is_refused():
    with pytest.raises(CryptoError, match="AppID"):
        MessageCrypto(KEY, APP_ID).decrypt(reference.encrypt(KEY, "wxsomeoneelse000", XML))


@pytest.mark.parametrize(
    "cipher", ["", "not base64!", base64.b64encode(b"x" * 15).decode(), base64.b64encode(os.urandom(64)).decode()]
)
def test_garbage_is_refused(cipher):
    with pytest.raises(CryptoError):
        MessageCrypto(KEY, APP_ID).decrypt(cipher)


def test_a_wrong_key_does_not_decrypt():
    other = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789abcdefg"
    with pytest.raises(CryptoError):
        MessageCrypto(other, APP_ID).decrypt(reference.encrypt(KEY, APP_ID, XML))
