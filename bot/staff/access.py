"""Markers the login middleware reads from a route's handler: ``public`` (no login needed) and
``admin_only`` (refused to staff with 403). Everything unmarked needs a logged-in session."""
from __future__ import annotations

from typing import Callable


def public(handler: Callable) -> Callable:
    """Reachable without login: only health and the login form. The route-walk test lists them."""
    handler.public = True  # type: ignore[attr-defined]
    return handler


def admin_only(handler: Callable) -> Callable:
    handler.admin_only = True  # type: ignore[attr-defined]
    return handler
