from django.apps import AppConfig


class RiskConfig(AppConfig):
    name = "fairthread.risk"
    label = "risk"
    verbose_name = "Risk assessment"

    def ready(self) -> None:
        # Incremental re-assessment when facilities or links change (supplychain never imports risk).
        from fairthread.risk import (
            jobs,  # noqa: F401
            signals,  # noqa: F401
        )
