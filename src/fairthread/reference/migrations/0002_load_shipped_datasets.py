"""Load the reference datasets shipped in reference/data/, so a fresh database has them.

Calls the same loader as ``fairthread loadreference --defaults`` with this migration's (historical) models;
every shipped file is stored once (idempotent by sha256), with bulk inserts. No audit events: creating the
database is not a change anyone made (loads through the command are audited).
"""

from django.db import migrations


def forwards(apps, schema_editor):
    from fairthread.reference.loaders import load_defaults

    for result in load_defaults(apps=apps):
        if not result.ok:
            raise RuntimeError(f"shipped reference file {result.dataset} is invalid: {result.errors[:3]}")


def backwards(apps, schema_editor):
    apps.get_model("reference", "ReferenceDataset").objects.all().delete()


class Migration(migrations.Migration):

    dependencies = [
        ("reference", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
