from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("tenants", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="municipality",
            name="staff_two_factor",
            field=models.BooleanField(
                default=True,
                help_text="Social workers, administrators and finance officers confirm each sign-in with a code "
                          "from an authenticator app.",
                verbose_name="staff sign in with a second step"),
        ),
    ]
