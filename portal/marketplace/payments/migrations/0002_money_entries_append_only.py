"""Money entries are append-only: the database refuses UPDATE and DELETE (as for the budget ledger)."""

from django.db import migrations

APPEND_ONLY = """
CREATE OR REPLACE FUNCTION payments_money_entry_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'money entries are append-only: % refused; write a reversing entry instead', TG_OP
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER payments_money_entry_append_only
    BEFORE UPDATE OR DELETE ON payments_moneyentry
    FOR EACH ROW EXECUTE FUNCTION payments_money_entry_append_only();
"""
DROP_APPEND_ONLY = """
DROP TRIGGER IF EXISTS payments_money_entry_append_only ON payments_moneyentry;
DROP FUNCTION IF EXISTS payments_money_entry_append_only();
"""


class Migration(migrations.Migration):
    dependencies = [("payments", "0001_initial")]

    operations = [migrations.RunSQL(APPEND_ONLY, DROP_APPEND_ONLY)]
