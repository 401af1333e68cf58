from __future__ import annotations

from django.apps import AppConfig


class ScreeningConfig(AppConfig):
    name = "fairthread.screening"
    label = "screening"
    verbose_name = "Restricted-entity screening"

    def ready(self) -> None:
        # Screening on import / edit, and confirmed hits as risk evidence (risk never imports screening).
        from fairthread.risk.tables import register_evidence_provider
        from fairthread.screening import signals  # noqa: F401
        from fairthread.screening.services import evidence_rows

        register_evidence_provider(evidence_rows)
