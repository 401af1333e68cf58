"""``fairthread createtoken USERNAME --name NAME``: create an API token and print it, once."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from fairthread.accounts.models import User
from fairthread.accounts.tokens import create_token


class Command(BaseCommand):
    help = "Create an API token for a user and print it once (only its hash is stored)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", required=True, help="What the token is for, e.g. 'ERP sync'.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            user = User.objects.get(username=options["username"])
        except User.DoesNotExist:
            raise CommandError(f"No user called {options['username']!r}.") from None
        try:
            # The operator acts on the user's behalf: the token is policy-checked as the user's own.
            token, raw = create_token(user, options["name"], by=user)
        except PermissionDenied as exc:
            raise CommandError(f"{user.get_username()} may not have API tokens: {exc}") from None
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        self.stdout.write(f"Token {token.name!r} for {user.get_username()} (shown once; store it safely):")
        self.stdout.write(raw)
