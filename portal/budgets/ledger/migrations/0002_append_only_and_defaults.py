"""Ledger entries are append-only (the database refuses UPDATE and DELETE) and the
ministry's default methodology is seeded in every municipality's schema."""

from decimal import Decimal

from django.db import migrations

APPEND_ONLY = """
CREATE OR REPLACE FUNCTION ledger_entry_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'ledger entries are append-only: % refused; write a reversing entry instead', TG_OP
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER ledger_entry_append_only
    BEFORE UPDATE OR DELETE ON ledger_ledgerentry
    FOR EACH ROW EXECUTE FUNCTION ledger_entry_append_only();
"""
DROP_APPEND_ONLY = """
DROP TRIGGER IF EXISTS ledger_entry_append_only ON ledger_ledgerentry;
DROP FUNCTION IF EXISTS ledger_entry_append_only();
"""

RATES = {
    ("children", 1): "4800.00", ("children", 2): "6300.00", ("children", 3): "7500.00", ("children", 4): "9500.00",
    ("adults", 1): "6500.00", ("adults", 2): "7900.00", ("adults", 3): "9200.00", ("adults", 4): "11500.00",
}
FUNDING = [
    ("esf", "Eiropas Sociālais fonds", "European Social Fund", "85.00"),
    ("state", "Valsts budžets", "State budget", "15.00"),
    ("municipal", "Pašvaldības budžets", "Municipal budget", "0.00"),
]


def seed(apps, schema_editor):
    Methodology = apps.get_model("ledger", "BudgetMethodology")
    Rate = apps.get_model("ledger", "MethodologyRate")
    Source = apps.get_model("ledger", "FundingSource")
    if not Methodology.objects.exists():
        Methodology.objects.create(min_period_months=6, max_period_months=12, default_level=2)
    for (group, level), amount in RATES.items():
        Rate.objects.get_or_create(target_group=group, level=level, defaults={"annual_amount": Decimal(amount)})
    for position, (code, lv, en, share) in enumerate(FUNDING):
        Source.objects.get_or_create(code=code, defaults={"name_lv": lv, "name_en": en,
                                                          "share_percent": Decimal(share), "position": position})


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_initial")]

    operations = [
        migrations.RunSQL(APPEND_ONLY, DROP_APPEND_ONLY),
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
