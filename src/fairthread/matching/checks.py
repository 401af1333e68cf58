"""`fairthread check` (and every start of the server) refuses facility-matching thresholds that make no sense, so
a misconfiguration is found at deployment, not in the middle of a user's import."""

from __future__ import annotations

from typing import Any

from django.core.checks import CheckMessage, Error, register
from django.core.exceptions import ImproperlyConfigured


@register()
def matching_thresholds(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    from fairthread.matching.services import thresholds

    try:
        thresholds()
    except ImproperlyConfigured as exc:
        return [Error(str(exc), hint="See docs/operations.md, 'Facility-matching thresholds'.",
                      id="fairthread.matching.E001")]
    return []
