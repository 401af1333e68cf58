from django.apps import AppConfig


class ChallengesConfig(AppConfig):
    name = "fairthread.challenges"
    label = "challenges"
