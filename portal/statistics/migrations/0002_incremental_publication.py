from django.db import migrations, models

# Arrays of invoice days and provider ids concatenated while summing a region's or Latvia's cells in SQL.
CAT = """CREATE AGGREGATE statistics_array_cat (anycompatiblearray)
         (SFUNC = array_cat, STYPE = anycompatiblearray, INITCOND = '{}')"""
DROP_CAT = "DROP AGGREGATE IF EXISTS statistics_array_cat (anycompatiblearray)"


class Migration(migrations.Migration):

    dependencies = [("statistics", "0001_initial")]

    operations = [
        migrations.AddField(model_name="statcell", name="hidden_base",
                            field=models.JSONField(blank=True, default=dict)),
        migrations.AddField(model_name="statcell", name="pushed", field=models.JSONField(blank=True, default=dict)),
        migrations.RunSQL(CAT, DROP_CAT),
    ]
