import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("tenants", "0004_signinhandoff"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="signinhandoff",
            name="sign_in",
            field=models.UUIDField(blank=True, null=True),
        ),
        migrations.CreateModel(
            name="SignInSession",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("sign_in", models.UUIDField(db_index=True)),
                ("session_key", models.CharField(max_length=40, unique=True)),
                ("host", models.CharField(max_length=253)),
                ("created_at", models.DateTimeField(auto_now_add=True, db_index=True)),
                ("seen_at", models.DateTimeField(blank=True, null=True)),
                ("user", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+",
                                           to=settings.AUTH_USER_MODEL)),
            ],
            options={"verbose_name": "signed-in session", "verbose_name_plural": "signed-in sessions"},
        ),
    ]
