# The bank rail's payment schedule: a weekly run on a weekday, or business days after approval (default 10).

from django.db import migrations, models
from django.db.models import Q


class Migration(migrations.Migration):

    dependencies = [
        ('payments', '0003_reversal'),
    ]

    operations = [
        migrations.AddField(
            model_name='paymentsettings',
            name='payment_weekday',
            field=models.PositiveSmallIntegerField(blank=True, choices=[(0, 'Monday'), (1, 'Tuesday'), (2, 'Wednesday'), (3, 'Thursday'), (4, 'Friday')], null=True, verbose_name='payment run weekday'),
        ),
        migrations.AddField(
            model_name='paymentsettings',
            name='business_days_after_approval',
            field=models.PositiveSmallIntegerField(default=10, verbose_name='business days from approval to payment'),
        ),
        migrations.AddConstraint(
            model_name='paymentsettings',
            constraint=models.CheckConstraint(condition=(Q(payment_weekday__isnull=True) | Q(payment_weekday__lte=4)) & Q(business_days_after_approval__lte=60), name='payment_settings_schedule'),
        ),
    ]
