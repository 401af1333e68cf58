from __future__ import annotations

from django.apps import AppConfig


class ScreeningConfig(AppConfig):
    name = "fairthread.screening"
    label = "screening"
    verbose_name = "Restricted-entity screening"
