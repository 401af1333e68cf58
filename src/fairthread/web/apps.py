from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "fairthread.web"
    label = "web"
