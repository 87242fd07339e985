"""An index on the status and finish time of django_tasks_db's task rows.

django_tasks_db (0.13) indexes `status` only inside its partial index of READY rows (the
queue's ordering): the recovery scan (RUNNING rows at each heartbeat), the `/metrics` counts by
status and the daily pruning of finished rows (core/task_pruning.py) read the whole table
without this one. Plain SQL with IF [NOT] EXISTS, the same on SQLite and PostgreSQL; the model
is not ours, so it is not in its Meta. A later django_tasks_db migration that rebuilds the table
on SQLite would drop it: check this index after upgrading that package.
"""

from django.db import migrations

INDEX = "core_taskresult_status_finished_idx"
TABLE = "django_tasks_database_dbtaskresult"


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0003_worker_heartbeat"),
        ("django_tasks_database", "0021_conditional_partial_index_ordering"),
    ]

    operations = [
        migrations.RunSQL(
            sql=f"CREATE INDEX IF NOT EXISTS {INDEX} ON {TABLE} (status, finished_at)",
            reverse_sql=f"DROP INDEX IF EXISTS {INDEX}",
        ),
    ]
