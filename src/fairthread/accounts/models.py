"""Organisations, users and their roles (memberships), and API tokens."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    """A person who signs in. What they may do comes from their membership (see ``policy``)."""

    @property
    def membership(self) -> Membership | None:
        # One active membership per user: a person acts for one organisation at a time.
        cached = getattr(self, "_membership_cache", None)
        if cached is None:
            cached = self.memberships.select_related("organisation").filter(active=True).first()
            self._membership_cache = cached
        return cached

    @property
    def role(self) -> str | None:
        m = self.membership
        return m.role if m else None

    @property
    def organisation(self) -> Organisation | None:
        m = self.membership
        return m.organisation if m else None


class Organisation(models.Model):
    class Kind(models.TextChoices):
        BRAND = "brand", "Brand"
        SUPPLIER = "supplier", "Supplier"
        NGO = "ngo", "NGO (critical friend)"
        AUDITOR = "auditor", "Auditor"

    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    country = models.CharField(max_length=2, blank=True, help_text="ISO 3166-1 alpha-2")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    BRAND_ADMIN = "brand_admin", "Brand admin"
    BRAND_ANALYST = "brand_analyst", "Brand analyst"
    CRITICAL_FRIEND = "critical_friend", "Critical friend"
    SUPPLIER_USER = "supplier_user", "Supplier user"
    AUDITOR = "auditor", "Auditor"


# Which organisation kinds may hold which roles.
ROLE_ORGANISATION_KINDS = {
    Role.BRAND_ADMIN: Organisation.Kind.BRAND,
    Role.BRAND_ANALYST: Organisation.Kind.BRAND,
    Role.CRITICAL_FRIEND: Organisation.Kind.NGO,
    Role.SUPPLIER_USER: Organisation.Kind.SUPPLIER,
    Role.AUDITOR: Organisation.Kind.AUDITOR,
}


class Membership(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=32, choices=Role.choices)
    # Designations from PRODUCT.md; they only add to a role, never replace it.
    is_case_handler = models.BooleanField(default=False)
    is_custodian = models.BooleanField(default=False)
    is_hotline_operator = models.BooleanField(default=False)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "organisation"], name="one_membership_per_org")]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} at {self.organisation}"


def hash_token(raw: str) -> str:
    # Tokens are 256-bit random strings, so a fast hash is enough (no dictionary to attack).
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    PREFIX = "ft_"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    key_prefix = models.CharField(max_length=12, help_text="First characters, to recognise a token")
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.key_prefix}…)"

    @classmethod
    def new_raw_key(cls) -> str:
        return cls.PREFIX + secrets.token_urlsafe(32)
