from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [("statistics", "0002_incremental_publication")]

    operations = [
        migrations.CreateModel(
            name="Publication",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("version", models.PositiveBigIntegerField(default=0)),
                ("token", models.UUIDField()),
                ("published_at", models.DateTimeField()),
            ],
        ),
    ]
