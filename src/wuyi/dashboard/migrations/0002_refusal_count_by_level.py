"""Refusals counted for every level (compound, community, street, district), not only by compound: the cached
counts are dropped and the days they were made for forgotten, so that the next read counts them again."""

from django.db import migrations, models


def forget_days(apps, schema_editor):
    apps.get_model("dashboard", "RefusalDay").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("dashboard", "0001_initial")]

    operations = [
        migrations.RunPython(forget_days, migrations.RunPython.noop),
        migrations.DeleteModel(name="RefusalCount"),
        migrations.CreateModel(
            name="RefusalCount",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("day", models.DateField(verbose_name="day")),
                ("level", models.CharField(choices=[("city", "City"), ("district", "District"), ("street", "Street"),
                                                    ("community", "Community"), ("compound", "Compound")],
                                           max_length=10, verbose_name="level")),
                ("area_code", models.CharField(max_length=15, verbose_name="area")),
                ("reason", models.CharField(max_length=40, verbose_name="reason")),
                ("refusals", models.PositiveIntegerField(verbose_name="refusals")),
            ],
            options={
                "verbose_name": "refusals counted",
                "verbose_name_plural": "refusals counted",
                "indexes": [models.Index(fields=["day", "level", "area_code"], name="refusal_count_level")],
                "constraints": [models.UniqueConstraint(fields=("day", "area_code", "reason"),
                                                        name="refusal_count_once")],
            },
        ),
    ]
