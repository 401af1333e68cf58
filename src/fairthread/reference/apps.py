from django.apps import AppConfig


class ReferenceConfig(AppConfig):
    name = "fairthread.reference"
    label = "reference"
