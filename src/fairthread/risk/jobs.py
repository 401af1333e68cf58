"""The periodic full assessment: catches what incremental updates cannot see (new reference editions,
tiers that changed upstream of an edit). Skipped when nothing in the inputs or the method changed."""

from __future__ import annotations

from fairthread.jobs.registry import register


def assess_risk() -> str:
    from fairthread.risk import methodology, services, tables

    last = services.latest_full_run()
    method = methodology.latest()
    if last is not None and last.methodology_id == method.pk:
        inputs, _ = tables.build_tables()
        if tables.digest(inputs) == last.inputs_digest:
            return f"risk assessment skipped: inputs unchanged since run #{last.pk}"
    run = services.run_assessment(by=None, methodology_version=method)
    return f"risk assessment run #{run.pk}: {run.facility_count} facilities with method {run.method_version}"


register("assess_risk", assess_risk,
         "Re-assess every facility's forced-labour risk when the data, reference editions or method changed.")
