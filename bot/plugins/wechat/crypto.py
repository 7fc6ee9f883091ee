"""WeChat signatures and the safe-mode message envelope (消息加解密).

Signatures are SHA-1 over the lexicographically sorted strings. Safe mode is AES-256-CBC with
key = base64decode(EncodingAESKey + "="), IV = key[:16], PKCS#7 padding to 32-byte blocks, and
plaintext = 16 random bytes + 4-byte big-endian length + message + AppID. AES comes from the
``cryptography`` package.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import struct
from typing import Iterable

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

BLOCK = 32


class CryptoError(ValueError):
    """The envelope could not be decrypted, or it was meant for another AppID."""


def signature(*parts: str) -> str:
    """SHA-1 hex of the sorted parts joined: server verification, ``signature`` and ``msg_signature``."""
    return hashlib.sha1("".join(sorted(parts)).encode("utf-8")).hexdigest()


def signature_matches(expected_parts: Iterable[str], given: str) -> bool:
    """Constant-time comparison of a request's signature with the one computed from ``expected_parts``."""
    return hmac.compare_digest(signature(*expected_parts), (given or "").lower())


def aes_key(encoding_aes_key: str) -> bytes:
    """The 32-byte AES key from the 43-character EncodingAESKey."""
    if len(encoding_aes_key or "") != 43:
        raise CryptoError("EncodingAESKey must have 43 characters")
    try:
        key = base64.b64decode(encoding_aes_key + "=", validate=True)
    except (binascii.Error, ValueError) as exc:
        raise CryptoError("EncodingAESKey is not base64") from exc
    if len(key) != 32:
        raise CryptoError("EncodingAESKey must decode to 32 bytes")
    return key


def _pad(data: bytes) -> bytes:
    n = BLOCK - len(data) % BLOCK
    return data + bytes([n]) * n


def _unpad(data: bytes) -> bytes:
    if not data:
        raise CryptoError("empty plaintext")
    n = data[-1]
    if n < 1 or n > BLOCK or data[-n:] != bytes([n]) * n:
        raise CryptoError("bad padding")
    return data[:-n]


class MessageCrypto:
    """Encrypts replies and decrypts messages for one official account."""

    def __init__(self, encoding_aes_key: str, app_id: str) -> None:
        self.key = aes_key(encoding_aes_key)
        self.app_id = app_id

    def _cipher(self) -> Cipher[modes.CBC]:
        return Cipher(algorithms.AES(self.key), modes.CBC(self.key[:16]))

    def encrypt(self, message: str, random16: bytes | None = None) -> str:
        """Base64 ciphertext of ``message`` for the ``Encrypt`` element."""
        body = message.encode("utf-8")
        plain = (random16 or os.urandom(16)) + struct.pack(">I", len(body)) + body + self.app_id.encode("utf-8")
        enc = self._cipher().encryptor()
        return base64.b64encode(enc.update(_pad(plain)) + enc.finalize()).decode("ascii")

    def decrypt(self, encrypted: str) -> str:
        """The message inside an ``Encrypt`` element; refuses another AppID."""
        try:
            raw = base64.b64decode(encrypted, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise CryptoError("Encrypt is not base64") from exc
        if not raw or len(raw) % 16:
            raise CryptoError("ciphertext length is not a multiple of the block size")
        dec = self._cipher().decryptor()
        plain = _unpad(dec.update(raw) + dec.finalize())
        if len(plain) < 20:
            raise CryptoError("plaintext too short")
        (length,) = struct.unpack(">I", plain[16:20])
        body, app_id = plain[20 : 20 + length], plain[20 + length :]
        if len(body) != length:
            raise CryptoError("length field exceeds the plaintext")
        if app_id.decode("utf-8", "replace") != self.app_id:
            raise CryptoError("message is for another AppID")
        try:
            return body.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise CryptoError("message is not UTF-8") from exc
