"""``fairthread setupdemo``: demo organisations, users (password ``demo``), supply chain and challenges.

Idempotent: running it again changes nothing. Refused in production mode, where demo passwords must not exist.
"""

from __future__ import annotations

import datetime
import os
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from fairthread.accounts.models import Membership, Organisation, Role, User
from fairthread.audit.log import record, snapshot
from fairthread.challenges.models import Challenge
from fairthread.challenges.services import open_challenge
from fairthread.matching import demo as matching_demo
from fairthread.supplychain import demo, demo_load
from fairthread.supplychain.models import Facility

PASSWORD = "demo"  # noqa: S105 - demo only: set directly, bypassing the password validators on purpose
NGO_NAME = "Loom Watch"
URL = f"http://127.0.0.1:{os.environ.get('PORT') or 8000}"

# (username, role, first name, last name)
USERS = [
    ("admin", Role.BRAND_ADMIN, "Amira", "Haddad"),
    ("analyst", Role.BRAND_ANALYST, "Tom", "Okafor"),
    ("ngo", Role.CRITICAL_FRIEND, "Priya", "Raman"),
    ("supplier", Role.SUPPLIER_USER, "Rashed", "Karim"),
]

# (hotspot key, title, text, days until due; negative = already overdue)
CHALLENGES = [
    (
        "cn_xinjiang_yarn",
        "Xinjiang cotton in a tier-1 chain",
        "This spinner declares cotton of Xinjiang origin and supplies a Bangladeshi fabric mill that "
        "supplies one of your tier-1 factories. What evidence do you hold on where this cotton comes from, "
        "and what will you do about it under the UFLPA and the EU Forced Labour Regulation?",
        21,
    ),
    (
        "tn_spinning_1",
        "Hostel workers at a Tamil Nadu spinning mill",
        "The profile shows a hostel on site, mostly young women and mostly migrants recruited through "
        "agents: the pattern of Sumangali schemes. Has anyone spoken to workers away from management, and "
        "are wages paid in full every month, with no lump sum held back?",
        30,
    ),
    (
        "leicester_1",
        "Agency workers and pay at a Leicester CMT unit",
        "Over a third of the workers here come through agencies. Please share the last wage records you "
        "checked and how you know that everyone is paid at least the National Living Wage.",
        -10,
    ),
]


class Command(BaseCommand):
    help = "Create the demo organisations, users (password 'demo'), chain and challenges; not in production."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--facilities", type=int, default=2_000, help=argparse_help("facilities", 2_000))
        parser.add_argument("--seed", type=int, default=42, help=argparse_help("seed", 42))

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError(
                "setupdemo is refused in production mode (FAIRTHREAD_ENV=production): it creates "
                "users whose password is 'demo'. Create real accounts instead.",
                returncode=1,
            )
        n, seed = options["facilities"], options["seed"]
        if n < demo.MIN_FACILITIES:
            raise CommandError(f"--facilities must be at least {demo.MIN_FACILITIES} (got {n}).")
        brand = demo_load.ensure_brand()
        ngo_org, _ = Organisation.objects.get_or_create(
            name=NGO_NAME, defaults={"kind": Organisation.Kind.NGO, "country": "GB"}
        )
        users = {name: self._user(name, first, last) for name, _, first, last in USERS}
        self._member(users["admin"], brand, Role.BRAND_ADMIN)
        self._member(users["analyst"], brand, Role.BRAND_ANALYST)
        self._member(users["ngo"], ngo_org, Role.CRITICAL_FRIEND)

        result = demo_load.load(n, seed, by=users["admin"])
        if not result.ok:
            for message in result.errors[:50]:
                self.stderr.write(message)
            raise CommandError("The demo supply chain could not be loaded (see above).")
        self.stdout.write(f"Supply chain: {result.summary()}")

        supplier_org = Organisation.objects.filter(name=demo.SUPPLIER_GROUP).first()
        if supplier_org is None:
            raise CommandError(f"The demo supplier organisation {demo.SUPPLIER_GROUP!r} is missing.")
        self._member(users["supplier"], supplier_org, Role.SUPPLIER_USER)
        opened = self._challenges(users["ngo"], demo.hotspot_refs(n))
        self.stdout.write(f"Challenges: {opened} opened." if opened else "Challenges: already there.")
        self._restricted_list(users["admin"])
        self.stdout.write(f"Matching: {matching_demo.import_respelt_list(users['admin'])}.")
        self._assessment(users["analyst"])
        self._print_logins(supplier_org)

    def _restricted_list(self, admin: User) -> None:
        """The CBP Withhold Release Orders sample, so the screening pages have a list (idempotent by sha256)."""
        from pathlib import Path

        from fairthread.screening.loaders import store_list_version

        path = Path(__file__).resolve().parents[3] / "screening" / "data" / "cbp_wro_findings_active.csv"
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
            result = store_list_version(path.read_bytes(), fmt="cbp", name="CBP Withhold Release Orders",
                                        by=admin, filename=path.name, list_type="cbp_wro",
                                        source="US Customs and Border Protection (sample transcription)",
                                        licence="US government work, public domain")
        version = result.version
        self.stdout.write(f"Restricted list: {version.restricted_list.name}, version {version.number}, "
                          f"{version.entity_count} entities" + ("." if result.created else " (already there)."))

    def _assessment(self, analyst: User) -> None:
        """One full risk assessment, so the risk pages have results (skipped when one exists)."""
        from fairthread.risk import services as risk

        if risk.latest_full_run() is not None:
            self.stdout.write("Risk assessment: already there.")
            return
        run = risk.run_assessment(by=analyst)
        bands = run.summary.get("facilities_per_band", {}) if isinstance(run.summary, dict) else {}
        self.stdout.write(f"Risk assessment: run #{run.pk}, {run.facility_count} facilities assessed"
                          + (f" ({', '.join(f'{k} {v}' for k, v in bands.items())})" if bands else "") + ".")

    def _user(self, username: str, first: str, last: str) -> User:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={"first_name": first, "last_name": last, "email": f"{username}@demo.fairthread.invalid"},
        )
        if created or not user.check_password(PASSWORD):
            user.set_password(PASSWORD)
            user.save(update_fields=["password"])
        return user

    def _member(self, user: User, org: Organisation, role: str) -> None:
        membership, created = Membership.objects.get_or_create(
            user=user, organisation=org, defaults={"role": role}
        )
        if created:
            record(None, "membership.create", membership, after=snapshot(membership), note="setupdemo")

    @transaction.atomic
    def _challenges(self, ngo: User, refs: dict[str, str]) -> int:
        opened = 0
        today = timezone.localdate()
        for key, title, text, days in CHALLENGES:
            if Challenge.objects.filter(title=title, raised_by=ngo).exists():
                continue
            facility = Facility.objects.filter(brand_ref=refs[key]).first()
            if facility is None:
                continue
            if days >= 0:
                # The demo's own notifications would flood the console e-mail backend at start-up.
                with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
                    open_challenge(
                        facility, by=ngo, title=title, text=text, due_date=today + datetime.timedelta(days)
                    )
            else:
                # The service refuses due dates in the past, so the overdue example is written directly.
                challenge = Challenge.objects.create(
                    content_type=ContentType.objects.get_for_model(Facility),
                    object_id=str(facility.pk),
                    subject_repr=str(facility)[:300],
                    title=title,
                    text=text,
                    due_date=today + datetime.timedelta(days),
                    raised_by=ngo,
                )
                record(
                    ngo, "challenge.open", challenge, after=snapshot(challenge), note="setupdemo (overdue)"
                )
            opened += 1
        return opened

    def _print_logins(self, supplier_org: Organisation) -> None:
        self.stdout.write("")
        self.stdout.write(f"Demo logins (password for all: {PASSWORD}) at {URL}")
        roles = dict(Role.choices)
        for name, role, _, _ in USERS:
            extra = f" — {supplier_org.name}" if role == Role.SUPPLIER_USER else ""
            self.stdout.write(f"  {name:<9} {roles[role]}{extra}")


def argparse_help(what: str, default: int) -> str:
    return f"demo {what} (default {default:,}); smaller values are for tests"
