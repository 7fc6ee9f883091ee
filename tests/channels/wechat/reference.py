"""An independent implementation of WeChat's message envelope for the tests: CBC chaining written
out by hand over single-block AES (ECB), padding and layout built separately from bot.plugins.wechat.crypto,
so both must agree with WeChat's specification rather than with each other's code."""

from __future__ import annotations

import base64
import hashlib
from typing import Tuple

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes


def sha1_signature(*parts: str) -> str:
    joined = ""
    for part in sorted(parts):
        joined += part
    return hashlib.sha1(joined.encode()).hexdigest()


def _key(encoding_aes_key: str) -> bytes:
    return base64.b64decode(encoding_aes_key + "=")


def _block(key: bytes, data: bytes, decrypt: bool) -> bytes:
    c = Cipher(algorithms.AES(key), modes.ECB())
    op = c.decryptor() if decrypt else c.encryptor()
    return op.update(data) + op.finalize()


def encrypt(encoding_aes_key: str, app_id: str, xml: str, random16: bytes = b"0123456789abcdef") -> str:
    key = _key(encoding_aes_key)
    body = xml.encode()
    plain = random16 + len(body).to_bytes(4, "big") + body + app_id.encode()
    pad = 32 - len(plain) % 32
    plain += bytes([pad]) * pad
    prev, out = key[:16], b""
    for i in range(0, len(plain), 16):
        block = bytes(a ^ b for a, b in zip(plain[i : i + 16], prev))
        prev = _block(key, block, decrypt=False)
        out += prev
    return base64.b64encode(out).decode()


def decrypt(encoding_aes_key: str, encrypted: str) -> Tuple[str, str]:
    """→ (xml, app_id)."""
    key = _key(encoding_aes_key)
    raw = base64.b64decode(encrypted)
    prev, plain = key[:16], b""
    for i in range(0, len(raw), 16):
        block = raw[i : i + 16]
        plain += bytes(a ^ b for a, b in zip(_block(key, block, decrypt=True), prev))
        prev = block
    plain = plain[: -plain[-1]]
    n = int.from_bytes(plain[16:20], "big")
    return plain[20 : 20 + n].decode(), plain[20 + n :].decode()
