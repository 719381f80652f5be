"""On PostgreSQL the team events refuse UPDATE and DELETE, whoever asks: who joined, left or moved
and who did it stays as it was recorded (the audit log's own function refuses the change)."""

from django.db import migrations

CREATE = """
CREATE TRIGGER teams_teamevent_append_only
    BEFORE UPDATE OR DELETE ON teams_teamevent
    FOR EACH ROW EXECUTE FUNCTION weishang_refuse_change();
"""
DROP = "DROP TRIGGER IF EXISTS teams_teamevent_append_only ON teams_teamevent;"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [
        ("teams", "0001_initial"),
        ("compliance", "0002_append_only_trigger"),
    ]
    operations = [migrations.RunPython(create, drop)]
