from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "fairthread.jobs"
    label = "jobs"
