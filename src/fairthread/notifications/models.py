"""Notifications shown in the UI and sent by e-mail (deadlines, escalations, new challenges)."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Notification(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    # Deduplication key: the same reminder is not sent twice (e.g. "challenge:12:overdue").
    key = models.CharField(max_length=120)
    text = models.CharField(max_length=500)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="one_notification_per_key")]

    def __str__(self) -> str:
        return self.text
