# A paid invoice cancelled afterwards: the payment is reversed (Stripe) or to be recovered (bank), with entries.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('payments', '0002_money_entries_append_only'),
    ]

    operations = [
        migrations.AlterField(
            model_name='payment',
            name='status',
            field=models.CharField(choices=[('requested', 'Requested'), ('waiting', 'Waiting'), ('sent', 'Sent'), ('paid', 'Paid'), ('failed', 'Failed'), ('returned', 'Returned'), ('reversed', 'Reversed'), ('to_recover', 'To be recovered')], db_index=True, default='requested', max_length=20, verbose_name='status'),
        ),
        migrations.AddField(
            model_name='payment',
            name='reversal_reason',
            field=models.CharField(blank=True, max_length=500, verbose_name='why the invoice was cancelled'),
        ),
        migrations.AddField(
            model_name='payment',
            name='reversal_reference',
            field=models.CharField(blank=True, max_length=100, verbose_name='reversal reference'),
        ),
        migrations.AddField(
            model_name='payment',
            name='reversed_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='reversed'),
        ),
        migrations.AlterField(
            model_name='moneyentry',
            name='kind',
            field=models.CharField(choices=[('top_up', 'Top-up'), ('request', 'Payment requested'), ('pay', 'Paid'), ('return', 'Returned'), ('reverse', 'Reversed after the invoice was cancelled')], max_length=20, verbose_name='kind'),
        ),
    ]
