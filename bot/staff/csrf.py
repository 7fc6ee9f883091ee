"""CSRF protection: a synchronizer token tied to the session on every POST form.

Logged-in forms carry the session's token (``csrf_token`` field). The login form, which has no
session yet, uses a random token in a short-lived HttpOnly cookie echoed in the form.
"""

from __future__ import annotations

import hmac
import secrets
from typing import Optional

FIELD = "csrf_token"
LOGIN_COOKIE = "zc_login_csrf"


def new_token() -> str:
    return secrets.token_urlsafe(32)


def same(expected: Optional[str], given: Optional[str]) -> bool:
    if not expected or not given:
        return False
    return hmac.compare_digest(expected.encode(), given.encode())
