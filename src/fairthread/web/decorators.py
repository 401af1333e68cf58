"""View guards. Staff pages need login (default deny) and ask the access policy."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from fairthread.accounts import policy


def allowed(action: str, object_type: str) -> Callable:
    """Require sign-in and ``policy.can(user, action, object_type)``; object-level checks stay in the view."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not policy.can(request.user, action, object_type):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapper.access = (action, object_type)  # type: ignore[attr-defined]
        return wrapper

    return decorator
