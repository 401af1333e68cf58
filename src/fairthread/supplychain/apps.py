from django.apps import AppConfig


class SupplychainConfig(AppConfig):
    name = "fairthread.supplychain"
    label = "supplychain"
