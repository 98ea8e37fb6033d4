"""Access decorators for views."""
from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort
from flask_login import current_user

from app.auth.models import Role
from app.extensions import login_manager

F = TypeVar("F", bound=Callable[..., Any])


def roles_required(*roles: Role) -> Callable[[F], F]:
    """Signed-in users holding any of `roles`; others are sent to sign in (401) or refused (403)."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator


admin_required = roles_required(Role.ADMIN)
instructor_required = roles_required(Role.INSTRUCTOR, Role.ADMIN)
