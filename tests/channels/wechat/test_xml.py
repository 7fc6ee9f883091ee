"""Safe XML: WeChat's flat messages parse; DTDs, entity bombs and external entities are refused."""

import pytest
from defusedxml.ElementTree import fromstring

from bot.plugins.wechat.xml import XmlError, cdata, encrypted_reply, parse, text_reply


def test_flat_message_parses_with_cdata_and_numbers():
    msg = parse(
        b"<xml><ToUserName><![CDATA[gh_1]]></ToUserName><CreateTime>1348831860</CreateTime>"
        b"<MsgType><![CDATA[text]]></MsgType><Content><![CDATA[ \xe8\xaf\x84\xe5\xae\xa1\xe8\xb4\xb9 ]]></Content>"
        b"<MsgId>1234567890123456</MsgId></xml>"
    )
    assert msg == {
        "ToUserName": "gh_1",
        "CreateTime": "1348831860",
        "MsgType": "text",
        "Content": "评审费",
        "MsgId": "1234567890123456",
    }


BOMB = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10) for i in range(1, 10))
    + b']><xml><Content>&lol9;</Content></xml>'
)


@pytest.mark.parametrize(
    "body",
    [
        BOMB,
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><xml><Content>&e;</Content></xml>',
        b'<!DOCTYPE xml SYSTEM "http://example.com/x.dtd"><xml><Content>a</Content></xml>',
        b"<xml><Content>unclosed",
        b"",
        b"   ",
        b'{"MsgType": "text"}',
        b"<notxml><Content>a</Content></notxml>",
    ],
)
def test_bad_bodies_are_refused(body):
    with pytest.raises(XmlError):
        parse(body)


def test_text_reply_escapes_a_cdata_terminator():
    xml = text_reply("oUser", "gh_1", "a]]>b<c>&", create_time=1)
    root = fromstring(xml)
    assert root.findtext("Content") == "a]]>b<c>&" and root.findtext("ToUserName") == "oUser"
    assert root.findtext("MsgType") == "text" and root.findtext("CreateTime") == "1"
    assert cdata("x") == "<![CDATA[x]]>"


def test_encrypted_reply_envelope():
    root = fromstring(encrypted_reply("ENC==", "sig", "1409304348", "nonce"))
    assert [c.tag for c in root] == ["Encrypt", "MsgSignature", "TimeStamp", "Nonce"]
    assert root.findtext("Encrypt") == "ENC=="
