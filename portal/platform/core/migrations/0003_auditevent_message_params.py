from django.db import migrations, models


class Migration(migrations.Migration):
    """Audit rows store a message code and its parameters, translated when read (docs/adr/0018)."""

    dependencies = [("core", "0002_extensions")]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="message",
            field=models.CharField(blank=True, default="", max_length=60, verbose_name="message"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="auditevent",
            name="params",
            field=models.JSONField(blank=True, default=dict, verbose_name="message parameters"),
        ),
    ]
