from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "fairthread.audit"
    label = "audit"
