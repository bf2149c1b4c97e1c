from django.db import migrations, models


def fill(apps, schema_editor):
    from portal.tenants.models import name_genitive

    Municipality = apps.get_model("tenants", "Municipality")
    for municipality in Municipality.objects.exclude(schema_name="public"):
        municipality.name_genitive = name_genitive(municipality.name)
        municipality.save(update_fields=["name_genitive"])


class Migration(migrations.Migration):

    dependencies = [
        ("tenants", "0005_signinsession"),
    ]

    operations = [
        migrations.AddField(
            model_name="municipality",
            name="name_genitive",
            field=models.CharField(blank=True, help_text="As it reads before another word, e.g. “Jelgavas valstspilsētas” (cenu griesti). Empty: formed from the name.", max_length=120, verbose_name="name in the genitive"),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
