"""Loading the generated demo supply chain into the database.

Demo sizes go through the real importer (same validation, provenance and audit trail as a user's upload);
large chains for benchmarks use ``bulk_load``: batched ``bulk_create`` in one transaction, then one
``recompute_tiers``. Both are idempotent: loading the same (n, seed) again changes nothing.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from fairthread.accounts.models import Organisation
from fairthread.audit.log import record
from fairthread.supplychain import demo
from fairthread.supplychain.identity import identity_key
from fairthread.supplychain.models import Facility, FacilitySource, ImportBatch, SourcingLink
from fairthread.supplychain.services import recompute_tiers

IMPORT_LIMIT = 10_000  # above this many facilities, the bulk path is used
BATCH = 2_000


@dataclass
class LoadResult:
    method: str
    facilities_created: int = 0
    facilities_existing: int = 0
    links_created: int = 0
    organisations_created: int = 0
    skipped: bool = False
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        if self.skipped:
            return "The demo data was already loaded; nothing changed."
        return (
            f"{self.facilities_created:,} facilities created, {self.facilities_existing:,} already there, "
            f"{self.links_created:,} links created, {self.organisations_created:,} organisations created "
            f"({self.method})."
        )


def ensure_brand() -> Organisation:
    brand, _ = Organisation.objects.get_or_create(
        name=demo.BRAND_NAME, defaults={"kind": Organisation.Kind.BRAND, "country": "GB"}
    )
    return brand


def demo_csv(n: int, seed: int) -> bytes:
    buffer = io.StringIO()
    demo.write_csv(buffer, n, seed)
    return buffer.getvalue().encode("utf-8")


def load(n: int, seed: int, *, bulk: bool | None = None, by: Any = None) -> LoadResult:
    """Load the demo chain for (n, seed): through the importer up to IMPORT_LIMIT facilities, else in bulk."""
    brand = ensure_brand()
    if bulk is None:
        bulk = n > IMPORT_LIMIT
    return bulk_load(n, seed, brand=brand) if bulk else import_demo(n, seed, brand=brand, by=by)


def import_demo(n: int, seed: int, *, brand: Organisation, by: Any = None) -> LoadResult:
    from fairthread.supplychain.importing import import_file

    data = demo_csv(n, seed)
    digest = hashlib.sha256(data).hexdigest()
    already = ImportBatch.objects.filter(sha256=digest, status=ImportBatch.Status.SUCCEEDED, dry_run=False)
    first_ref = f"{demo.REF_PREFIX}-T1-{1:0{max(5, len(str(demo.tier_counts(n)[0])))}d}"
    if already.exists() and Facility.objects.filter(brand_ref=first_ref).exists():
        # Re-importing would change nothing but would add a batch to the import history.
        return LoadResult(method="import", skipped=True)
    orgs_before = Organisation.objects.count()
    result = import_file(data, filename=f"demo-{n}-seed-{seed}.csv", by=by, organisation=brand)
    out = LoadResult(
        method="import",
        facilities_created=result.created,
        facilities_existing=result.updated + result.unchanged,
        links_created=result.links_created,
        organisations_created=Organisation.objects.count() - orgs_before,
    )
    out.errors = list(result.errors)
    return out


def _facility(f: demo.DemoFacility, org_id: int | None) -> Facility:
    facility = Facility(
        organisation_id=org_id,
        brand_ref=f.brand_ref,
        os_id=f.os_id or None,
        name=f.name,
        name_native=f.name_native,
        address=f.address,
        country=f.country,
        region=f.region,
        lat=f.lat,
        lng=f.lng,
        coordinate_precision=f.coordinate_precision,
        sector=f.sector,
        facility_type=f.facility_type,
        processing_type=f.processing_type,
        product_type=f.product_type,
        parent_company=f.parent_company,
        workers_count=f.workers_count,
        pct_female=f.pct_female,
        pct_migrant=f.pct_migrant,
        pct_agency=f.pct_agency,
        dormitory=f.dormitory,
        recruitment_agents=f.recruitment_agents,
        status=f.status,
        declared_tier=f.declared_tier,
    )
    facility.identity_key = identity_key(f.name, f.address, f.country)
    # The generator builds every chain down from the brand, so the derived tier is the declared one;
    # recompute_tiers() below checks that and only rewrites the facilities where it is not.
    facility.tier = f.declared_tier
    return facility


def _supplied(f: demo.DemoFacility) -> dict[str, Any]:
    cells = demo.facility_cells(f)
    return {k: v for k, v in cells.items() if v != "" and k != "facility_ref"}


def bulk_load(
    n: int,
    seed: int,
    *,
    brand: Organisation,
    batch_size: int = BATCH,
    provenance: bool = True,
    progress: Callable[[int], None] | None = None,
) -> LoadResult:
    """Insert the generated chain in bulk; facilities already there (by reference) are left alone."""
    result = LoadResult(method="bulk")
    with transaction.atomic():
        ref_ids: dict[str, int] = dict(
            Facility.objects.filter(brand_ref__startswith=f"{demo.REF_PREFIX}-T").values_list(
                "brand_ref", "id"
            )
        )
        org_ids: dict[str, int] = dict(Organisation.objects.values_list("name", "id"))
        batch = ImportBatch.objects.create(
            organisation=brand,
            filename=f"generatedemo --facilities {n} --seed {seed}",
            file_format="fairthread",
            status=ImportBatch.Status.RUNNING,
        )
        pending: list[demo.DemoFacility] = []
        seen = 0

        def flush() -> None:
            new_orgs = {
                f.organisation: f.country for f in pending if f.organisation and f.organisation not in org_ids
            }
            created = Organisation.objects.bulk_create(
                [
                    Organisation(name=name, kind=Organisation.Kind.SUPPLIER, country=country)
                    for name, country in new_orgs.items()
                ]
            )
            if created and created[0].pk is None:  # backends that do not return ids
                org_ids.update(Organisation.objects.filter(name__in=new_orgs).values_list("name", "id"))
            else:
                org_ids.update((o.name, o.pk) for o in created)
            result.organisations_created += len(created)
            objs = [_facility(f, org_ids.get(f.organisation) if f.organisation else None) for f in pending]
            Facility.objects.bulk_create(objs, batch_size=batch_size)
            if objs and objs[0].pk is None:
                ref_ids.update(
                    Facility.objects.filter(brand_ref__in=[f.brand_ref for f in pending]).values_list(
                        "brand_ref", "id"
                    )
                )
            else:
                ref_ids.update((o.brand_ref, o.pk) for o in objs)
            links: list[SourcingLink] = []
            for f in pending:
                supplier = ref_ids[f.brand_ref]
                for link in f.links:
                    if link.buyer_ref == demo.BRAND:
                        links.append(
                            SourcingLink(
                                brand=brand,
                                supplier_id=supplier,
                                material=link.material,
                                volume_share=link.volume_share,
                            )
                        )
                    else:
                        links.append(
                            SourcingLink(
                                buyer_id=ref_ids[link.buyer_ref],
                                supplier_id=supplier,
                                material=link.material,
                                volume_share=link.volume_share,
                            )
                        )
                for origin in f.origins:
                    links.append(
                        SourcingLink(
                            buyer_id=supplier,
                            material=origin.material,
                            origin_country=origin.country,
                            origin_region=origin.region,
                        )
                    )
            SourcingLink.objects.bulk_create(links, batch_size=batch_size)
            result.links_created += len(links)
            if provenance:
                FacilitySource.objects.bulk_create(
                    [
                        FacilitySource(
                            facility_id=ref_ids[f.brand_ref],
                            batch=batch,
                            organisation=brand,
                            values=_supplied(f),
                        )
                        for f in pending
                    ],
                    batch_size=batch_size,
                )
            result.facilities_created += len(pending)
            pending.clear()

        for f in demo.generate(n, seed):
            seen += 1
            if f.brand_ref in ref_ids:
                result.facilities_existing += 1
                continue
            pending.append(f)
            if len(pending) >= batch_size:
                flush()
                if progress is not None:
                    progress(seen)
        if pending:
            flush()
        if result.facilities_created == 0:
            # Nothing new: leave no trace, so that loading twice changes nothing.
            batch.delete()
            result.skipped = True
            return result
        batch.status = ImportBatch.Status.SUCCEEDED
        batch.rows_total = batch.rows_done = seen
        batch.created, batch.unchanged = result.facilities_created, result.facilities_existing
        batch.links_created = result.links_created
        batch.finished_at = timezone.now()
        batch.save()
        record(
            None,
            "demo.load",
            batch,
            after={
                "facilities": n,
                "seed": seed,
                "created": result.facilities_created,
                "links_created": result.links_created,
            },
        )
    recompute_tiers()
    return result
