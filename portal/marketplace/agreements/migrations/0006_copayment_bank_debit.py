# Co-payments paid by a delayed method (SEPA debit): processing until the bank confirms, or failed.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('agreements', '0005_copayment'),
    ]

    operations = [
        migrations.AlterField(
            model_name='copayment',
            name='status',
            field=models.CharField(choices=[('open', 'Waiting for payment'), ('processing', 'Paid by bank debit, waiting for the bank'), ('paid', 'Paid'), ('expired', 'Not paid (the payment page expired)'), ('failed', 'Not paid (the bank debit failed)')], default='open', max_length=10, verbose_name='status'),
        ),
    ]
