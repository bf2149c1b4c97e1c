from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("registry", "0002_providerworkitem_registry_item_provider_all_idx")]

    operations = [
        migrations.AlterField(
            model_name="providerworkitem", name="kind",
            field=models.CharField(choices=[("agreement", "Agreement"), ("session", "Session"),
                                            ("invoice", "Invoice"), ("payment", "Payment")],
                                   max_length=20, verbose_name="kind"),
        ),
    ]
