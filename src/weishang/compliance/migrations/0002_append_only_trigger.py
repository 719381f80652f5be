"""On PostgreSQL the audit table refuses UPDATE and DELETE, whoever asks (E-commerce Law Art. 31)."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION weishang_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'table %% is append-only: %% refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER compliance_auditentry_append_only
    BEFORE UPDATE OR DELETE ON compliance_auditentry
    FOR EACH ROW EXECUTE FUNCTION weishang_refuse_change();
"""
DROP = """
DROP TRIGGER IF EXISTS compliance_auditentry_append_only ON compliance_auditentry;
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("compliance", "0001_initial")]
    operations = [migrations.RunPython(create, drop)]
