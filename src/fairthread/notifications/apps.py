from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "fairthread.notifications"
    label = "notifications"
