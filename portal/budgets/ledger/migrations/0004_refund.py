# A paid invoice cancelled after payment: its post goes back into the reservation (kind "refund").

from django.db import migrations, models
from django.db.models import Q


class Migration(migrations.Migration):

    dependencies = [
        ('ledger', '0003_budget_period'),
    ]

    operations = [
        migrations.AlterField(
            model_name='ledgerentry',
            name='kind',
            field=models.CharField(choices=[('grant', 'grant'), ('reserve', 'reservation'), ('post', 'payment'), ('void', 'release'), ('close', 'return at period end'), ('refund', 'payment cancelled')], max_length=10, verbose_name='kind'),
        ),
        migrations.RemoveConstraint(model_name='ledgerentry', name='ledger_entry_amount_positive'),
        migrations.RemoveConstraint(model_name='ledgerentry', name='ledger_entry_reservation_link'),
        migrations.AddConstraint(
            model_name='ledgerentry',
            constraint=models.CheckConstraint(condition=~Q(kind__in=['grant', 'reserve', 'post', 'refund']) | Q(amount__gt=0),
                                              name='ledger_entry_amount_positive'),
        ),
        migrations.AddConstraint(
            model_name='ledgerentry',
            constraint=models.CheckConstraint(
                condition=(Q(kind__in=['post', 'void', 'refund']) & Q(reservation__isnull=False))
                | (~Q(kind__in=['post', 'void', 'refund']) & Q(reservation__isnull=True)),
                name='ledger_entry_reservation_link'),
        ),
    ]
