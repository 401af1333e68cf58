"""Store a restricted-list file as a new list version (atomic; an identical file adds no version)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from fairthread.audit.log import record
from fairthread.screening.engine import Entity
from fairthread.screening.lists import ListError, parse_list
from fairthread.screening.models import ListEntity, ListVersion, RestrictedList

ENTITY_BATCH = 1000


@dataclass
class LoadResult:
    version: ListVersion
    created: bool  # False when the file is identical to the current version


def _label(by: Any) -> str:
    return by.get_username() if getattr(by, "is_authenticated", False) else str(by or "system")


def store_list_version(data: bytes, *, fmt: str, name: str, by: Any = None, filename: str = "",
                       list_type: str | None = None, source: str = "", licence: str = "") -> LoadResult:
    """Parse ``data`` and store it as the list's new current version. Raises ``ListError`` on bad input.

    ``by`` is a user (checked against the policy) or None for the command line (the operator)."""
    if by is not None and getattr(by, "is_authenticated", False):
        from fairthread.accounts import policy

        policy.require(by, "load_list", "screening")
    entities = parse_list(data, fmt, name)
    ids = [e.id for e in entities]
    if len(set(ids)) != len(ids):
        dup = sorted({i for i in ids if ids.count(i) > 1})[:5]
        raise ListError([f"the same entity id appears more than once: {', '.join(dup)}"])
    digest = hashlib.sha256(data if isinstance(data, bytes) else data.encode("utf-8")).hexdigest()
    with transaction.atomic():
        rlist, _created = RestrictedList.objects.select_for_update().get_or_create(
            name=name, defaults={"list_type": list_type or _guess_type(fmt), "source": source, "licence": licence})
        current = rlist.versions.filter(is_current=True).first()
        if current is not None and current.sha256 == digest:
            return LoadResult(current, False)
        number = (rlist.versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
        rlist.versions.update(is_current=False)
        user = by if getattr(by, "is_authenticated", False) else None
        version = ListVersion.objects.create(
            restricted_list=rlist, number=number, loaded_by=user, loaded_label=_label(by), file_format=fmt,
            filename=filename[:255], sha256=digest, entity_count=len(entities), is_current=True)
        rows = [_row(version, e) for e in entities]
        for start in range(0, len(rows), ENTITY_BATCH):
            ListEntity.objects.bulk_create(rows[start:start + ENTITY_BATCH])
        record(by, "screening.load_list", version,
               after={"list": name, "version": number, "entities": len(entities), "sha256": digest})
    return LoadResult(version, True)


def _guess_type(fmt: str) -> str:
    return {"cbp": RestrictedList.ListType.CBP_WRO, "ftm": RestrictedList.ListType.SANCTIONS}.get(
        fmt, RestrictedList.ListType.BRAND_OWN)


def _row(version: ListVersion, e: Entity) -> ListEntity:
    return ListEntity(version=version, entity_id=e.id, name=e.name, aliases=list(e.aliases), country=e.country,
                      address=e.address, effective_date=e.effective_date, list_label=e.list_name,
                      schema=e.schema, source=e.source, fingerprint=e.fingerprint)


def to_entity(row: ListEntity) -> Entity:
    return Entity(id=row.entity_id, name=row.name, aliases=tuple(row.aliases or ()), country=row.country,
                  address=row.address, list_name=row.list_label, effective_date=row.effective_date,
                  schema=row.schema, source=row.source)
