"""Safe parsing of WeChat's XML and building of passive replies.

Parsing goes through defusedxml with DTDs forbidden, so entity expansion ("billion laughs") and
external entities are refused before anything is expanded. The caller limits the body size first.
"""

from __future__ import annotations

import time
from typing import Dict, Optional

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring


class XmlError(ValueError):
    """The body is not a WeChat message: malformed, a DTD or entity, or the wrong shape."""


def parse(body: bytes) -> Dict[str, str]:
    """Flat ``<xml><Tag>text</Tag>…</xml>`` → {"Tag": "text"} (only the first level is kept)."""
    if not body or not body.strip():
        raise XmlError("empty body")
    try:
        root = fromstring(body, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except (ParseError, DefusedXmlException, ValueError, SyntaxError) as exc:
        raise XmlError(f"{type(exc).__name__}") from exc
    if root.tag != "xml":
        raise XmlError("root element is not <xml>")
    return {child.tag: (child.text or "").strip() for child in root if len(child) == 0}


def cdata(text: str) -> str:
    """``text`` as CDATA; a literal "]]>" is split over two sections."""
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def text_reply(to_user: str, from_user: str, content: str, create_time: Optional[int] = None) -> str:
    """A passive text reply (被动回复文本消息)."""
    return (
        "<xml>"
        f"<ToUserName>{cdata(to_user)}</ToUserName>"
        f"<FromUserName>{cdata(from_user)}</FromUserName>"
        f"<CreateTime>{int(create_time or time.time())}</CreateTime>"
        "<MsgType><![CDATA[text]]></MsgType>"
        f"<Content>{cdata(content)}</Content>"
        "</xml>"
    )


def encrypted_reply(encrypt: str, msg_signature: str, timestamp: str, nonce: str) -> str:
    """The safe-mode envelope around an encrypted passive reply."""
    return (
        "<xml>"
        f"<Encrypt>{cdata(encrypt)}</Encrypt>"
        f"<MsgSignature>{cdata(msg_signature)}</MsgSignature>"
        f"<TimeStamp>{timestamp}</TimeStamp>"
        f"<Nonce>{cdata(nonce)}</Nonce>"
        "</xml>"
    )
