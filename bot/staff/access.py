"""Markers the login middleware reads from a route's handler: ``public`` (no login needed),
``admin_only`` (refused to everyone but admins with 403), ``roles(...)`` (only those roles) and
``self_service`` (a POST a read-only supervisor may still make: logout, their own password).
Everything unmarked needs a logged-in session; every POST of a read-only role is refused unless
marked ``self_service``."""

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


def self_service(handler: Handler) -> Handler:
    """A POST that changes only the caller's own session or account: allowed to read-only roles."""
    handler.self_service = True  # type: ignore[attr-defined]
    return handler
