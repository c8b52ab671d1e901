"""On PostgreSQL, make the access log a table partitioned by day (RANGE on occurred_at).

Partitions are made for each local day as events arrive (``access.events.ensure_partitions``) and dropped
whole by ``wuyi access purge``. Django created the plain table in 0001; this swaps it for a partitioned one with
the same columns, key and index names, so later migrations see what they expect. SQLite keeps the plain table.
"""

from django.db import migrations

TABLE = "access_accessevent"


def partition(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND indexname NOT LIKE %s",
            [TABLE, "%pkey"],
        )
        indexes = cursor.fetchall()
        cursor.execute(f"ALTER TABLE {TABLE} RENAME TO {TABLE}_plain")
        cursor.execute(
            f"CREATE TABLE {TABLE} (LIKE {TABLE}_plain INCLUDING DEFAULTS INCLUDING CONSTRAINTS) "
            "PARTITION BY RANGE (occurred_at)"
        )
        cursor.execute(f"DROP TABLE {TABLE}_plain")
        cursor.execute(f"ALTER TABLE {TABLE} ADD PRIMARY KEY (district_code, occurred_at, event_id)")
        for _name, definition in indexes:
            cursor.execute(definition)


def unpartition(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND indexname NOT LIKE %s",
            [TABLE, "%pkey"],
        )
        indexes = cursor.fetchall()
        cursor.execute(f"CREATE TABLE {TABLE}_plain (LIKE {TABLE} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)")
        cursor.execute(f"INSERT INTO {TABLE}_plain SELECT * FROM {TABLE}")
        cursor.execute(f"DROP TABLE {TABLE}")
        cursor.execute(f"ALTER TABLE {TABLE}_plain RENAME TO {TABLE}")
        cursor.execute(f"ALTER TABLE {TABLE} ADD PRIMARY KEY (district_code, occurred_at, event_id)")
        for _name, definition in indexes:
            cursor.execute(definition.replace(" ONLY ", " "))


class Migration(migrations.Migration):
    dependencies = [("access", "0001_initial")]
    operations = [migrations.RunPython(partition, unpartition)]
