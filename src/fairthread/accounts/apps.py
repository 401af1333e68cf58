from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "fairthread.accounts"
    label = "accounts"
