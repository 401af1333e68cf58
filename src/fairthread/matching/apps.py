from django.apps import AppConfig


class MatchingConfig(AppConfig):
    name = "fairthread.matching"
    label = "matching"
    verbose_name = "Facility matching"
