# Indexes for the facility list (search/filter/sort at 100,000 facilities) and the material filter.
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("supplychain", "0001_initial"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="facility",
            index=models.Index(fields=["name"], name="facility_name_idx"),
        ),
        migrations.AddIndex(
            model_name="facility",
            index=models.Index(fields=["updated_at"], name="facility_updated_idx"),
        ),
        migrations.AddIndex(
            model_name="facility",
            index=models.Index(fields=["workers_count"], name="facility_workers_idx"),
        ),
        migrations.AddIndex(
            model_name="facility",
            index=models.Index(fields=["country", "name"], name="facility_country_name_idx"),
        ),
        migrations.AddIndex(
            model_name="facility",
            index=models.Index(fields=["facility_type", "name"], name="facility_type_name_idx"),
        ),
        migrations.AddIndex(
            model_name="facility",
            index=models.Index(fields=["organisation", "name"], name="facility_org_name_idx"),
        ),
        migrations.AddIndex(
            model_name="sourcinglink",
            index=models.Index(fields=["material", "supplier"], name="link_material_supplier_idx"),
        ),
    ]
