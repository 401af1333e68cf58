"""Methodology versions: the shipped default, new versions made by brand admins, and diffs between any two.

A version is never edited in place: a change is a new version with its own change note, so every stored
assessment run keeps pointing at exactly the method that produced it.
"""

from __future__ import annotations

import copy
import json
import re
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from fairthread.accounts import policy
from fairthread.audit.log import record
from fairthread.risk import engine
from fairthread.risk.models import MethodologyVersion

_VERSION = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,39}")
# Keys of the body that are the version's own metadata (stored in columns too).
META_KEYS = ("version", "author", "change_note", "description")


def ensure_default() -> MethodologyVersion:
    """The shipped default method, created on first use."""
    existing = MethodologyVersion.objects.filter(is_default=True).first()
    if existing is not None:
        return existing
    body = copy.deepcopy(engine.DEFAULT_METHODOLOGY)
    try:
        with transaction.atomic():
            version, created = MethodologyVersion.objects.get_or_create(
                version=str(body["version"]),
                defaults={
                    "author": str(body.get("author", "")),
                    "change_note": str(body.get("change_note", "")),
                    "description": str(body.get("description", "")),
                    "body": body,
                    "is_default": True,
                },
            )
    except IntegrityError:  # created concurrently
        version = MethodologyVersion.objects.get(version=str(body["version"]))
        created = False
    if created:
        record(None, "methodology.create", version, after={"version": version.version, "shipped": True})
    return version


def latest() -> MethodologyVersion:
    """The version new runs use unless told otherwise: the newest one."""
    ensure_default()
    return MethodologyVersion.objects.order_by("-created_at", "-id").first()  # type: ignore[return-value]


def get(version: str) -> MethodologyVersion | None:
    ensure_default()
    return MethodologyVersion.objects.filter(version=version).first()


def all_versions() -> list[str]:
    ensure_default()
    return list(MethodologyVersion.objects.order_by("created_at", "id").values_list("version", flat=True))


def parse_body(text: str) -> dict[str, Any]:
    """JSON text from a form → the method's body; ValidationError in words when it is not JSON."""
    try:
        body = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValidationError(
            f"The method is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}.") from None
    if not isinstance(body, dict):
        raise ValidationError("The method must be a JSON object (starting with {).")
    return body


def next_version(current: str) -> str:
    """A suggestion for the next version number: 1.0 → 1.1, 1.9 → 1.10, anything else → current-2."""
    head, _, tail = current.rpartition(".")
    if head and tail.isdigit():
        return f"{head}.{int(tail) + 1}"
    return f"{current}-2"


@transaction.atomic
def create_version(*, by: Any, body: dict[str, Any], change_note: str, version: str | None = None
                   ) -> MethodologyVersion:
    """A new version from an edited body; validated by the engine; old versions stay as they are."""
    policy.require(by, "change", "methodology")
    ensure_default()
    body = copy.deepcopy(body)
    change_note = (change_note or "").strip()
    if not change_note:
        raise ValidationError({"change_note": "Say what changed and why: the critical friend reads this."})
    base = latest()
    version = (version or "").strip()
    if not version:  # the body's own version number counts only when it is a new one
        body_version = str(body.get("version") or "").strip()
        version = "" if body_version == base.version else body_version
    if not version:
        version = next_version(base.version)
        while MethodologyVersion.objects.filter(version=version).exists():
            version = next_version(version)
    if not _VERSION.fullmatch(version) or version in {"new", "diff"}:
        raise ValidationError({"version": "A version is letters, digits, dots, dashes or underscores, e.g. 1.1."})
    if MethodologyVersion.objects.filter(version=version).exists():
        raise ValidationError({"version": f"Version {version} already exists; versions are never overwritten."})
    author = (by.get_full_name() or by.get_username()) if by is not None else "system"
    body.update({"version": version, "author": author, "change_note": change_note})
    body.setdefault("description", base.body.get("description", ""))
    problems = engine.validate_methodology(body)
    if problems:
        raise ValidationError({"body": problems})
    if _only_meta(engine.diff_methodologies(base.body, body)):
        raise ValidationError({"body": "Nothing in the method changed compared with version "
                                       f"{base.version}; a new version needs a change."})
    created = MethodologyVersion.objects.create(
        version=version, author=author, change_note=change_note,
        description=str(body.get("description", "")), body=body, created_by=by,
    )
    record(by, "methodology.create", created,
           after={"version": version, "based_on": base.version, "change_note": change_note,
                  "changes": [[p, _plain(a), _plain(b)] for p, a, b in diff(base, created)]})
    return created


def _only_meta(changes: list[tuple[str, Any, Any]]) -> bool:
    return all(path.split(".")[0] in META_KEYS for path, _, _ in changes)


def _plain(value: Any) -> Any:
    return value if isinstance(value, (str, int, float, bool, type(None))) else json.dumps(value, sort_keys=True)


def diff(a: MethodologyVersion, b: MethodologyVersion) -> list[tuple[str, Any, Any]]:
    """What changed from version a to version b, by dotted path (the engine's diff, metadata left out)."""
    changes = engine.diff_methodologies(a.body, b.body)
    return [(p, x, y) for p, x, y in changes if p.split(".")[0] not in META_KEYS]


def editable_body(version: MethodologyVersion) -> str:
    """The body as the edit form shows it: the method only (metadata is asked for separately)."""
    body = {k: v for k, v in version.body.items() if k not in META_KEYS}
    return json.dumps(body, indent=2, sort_keys=True, ensure_ascii=False)
