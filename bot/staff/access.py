"""Markers the login middleware reads from a route's handler: ``public`` (no login needed),
``admin_only`` (refused to everyone but admins with 403), ``roles(...)`` (only those roles) and
``self_service`` (a POST a read-only supervisor may still make: logout, their own password) and
``export`` (a POST that only reads: a download, which is a POST so that it carries the CSRF token).
Everything unmarked needs a logged-in session; every POST of a read-only role is refused unless
marked ``self_service`` or ``export``."""

from __future__ import annotations

from typing import Any, Callable, Tuple, TypeVar

Handler = TypeVar("Handler", bound=Callable[..., Any])


def public(handler: Handler) -> Handler:
    """Reachable without login: only health and the login form. The route-walk test lists them."""
    handler.public = True  # type: ignore[attr-defined]
    return handler


def admin_only(handler: Handler) -> Handler:
    handler.admin_only = True  # type: ignore[attr-defined]
    return handler


def roles(*allowed: str) -> Callable[[Handler], Handler]:
    """Only these roles (``bot.staff.models.ROLES``) may use the handler; the others get 403."""
    names: Tuple[str, ...] = tuple(allowed)

    def mark(handler: Handler) -> Handler:
        handler.roles = names  # type: ignore[attr-defined]
        return handler

    return mark


def export(handler: Handler) -> Handler:
    """A download (CSV, Excel): a POST with the session's CSRF token, so that a link or a form on
    another site cannot make a logged-in user download one (and write an audit entry in their
    name). It changes nothing but the audit log: read-only roles may use it."""
    handler.export = True  # type: ignore[attr-defined]
    return handler


def self_service(handler: Handler) -> Handler:
    """A POST that changes only the caller's own session or account: allowed to read-only roles."""
    handler.self_service = True  # type: ignore[attr-defined]
    return handler
