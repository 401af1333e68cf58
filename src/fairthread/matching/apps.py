from django.apps import AppConfig


class MatchingConfig(AppConfig):
    name = "fairthread.matching"
    label = "matching"
    verbose_name = "Facility matching"

    def ready(self) -> None:
        from fairthread.matching import checks  # noqa: F401  (registers the system check)
