"""Sending notifications: stored for the UI, and e-mailed through Django's e-mail backend."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction

from fairthread.notifications.models import Notification


def notify(users: Iterable, *, key: str, text: str, url: str = "") -> int:
    """Notify each user once per key. Returns how many notifications were new."""
    sent = 0
    for user in users:
        try:
            with transaction.atomic():
                note = Notification.objects.create(user=user, key=key, text=text, url=url)
        except IntegrityError:
            continue  # already told this user
        if user.email:
            send_mail(
                subject=f"[fairthread] {text[:80]}",
                message=f"{text}\n\n{url}",
                from_email=settings.DEFAULT_FROM_EMAIL,
                recipient_list=[user.email],
                fail_silently=True,
            )
            note.emailed = True
            note.save(update_fields=["emailed"])
        sent += 1
    return sent


def mark_read(user, notification_ids: Iterable[int]) -> None:
    from django.utils import timezone

    Notification.objects.filter(user=user, id__in=list(notification_ids), read_at__isnull=True).update(
        read_at=timezone.now()
    )
