from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from fairthread.accounts import policy


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    unread = user.notifications.filter(read_at__isnull=True).count()
    return {
        "role": user.role,
        "member_of": user.organisation,
        "unread_notifications": unread,
        "may": {
            "import": policy.can(user, "run", "import"),
            "view_imports": policy.can(user, "view", "import"),
            "export": policy.can(user, "run", "export"),
            "challenges": policy.can(user, "view", "challenge"),
            "audit": policy.can(user, "view", "audit_log"),
            "manage_orgs": policy.can(user, "manage", "organisation"),
            "create_facility": policy.can(user, "create", "facility"),
            "explore": policy.can(user, "view", "sourcing_link"),
            "jobs": policy.can(user, "view", "job"),
            "risk": policy.can(user, "view", "risk_assessment"),
            "screening": policy.can(user, "view", "screening"),
            "matching": policy.can(user, "view", "match_candidate"),
        },
    }
