from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "fairthread.api"
    label = "api"
