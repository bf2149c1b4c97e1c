"""Keeps the provider's cross-municipality index current for agreements too, and answers the agreements
area's question of what a cancellation must keep reserved.

Agreements belong to the agreements area; rather than asking every one of its
services to remember the index, the index follows each saved agreement on commit.
"""

from django.db import connection
from django.db.models.signals import post_save
from django.dispatch import Signal

from portal.marketplace.agreements.cancellation import delivered_not_invoiced
from portal.marketplace.agreements.models import Agreement

from .index import sync_agreement
from .selectors import uninvoiced_amount

# Sent inside ``invoice_approve``'s transaction (``invoice=``, ``actor=``): the payments area, which sits above
# invoicing, answers by creating the invoice's payment in that same transaction.
invoice_approved = Signal()


def _agreement_saved(sender, instance, **kwargs):
    if getattr(connection, "tenant", None) is None or connection.schema_name == "public":
        return
    sync_agreement(instance)


def _delivered_not_invoiced(sender, agreement, **kwargs):
    return uninvoiced_amount(agreement)


def connect():
    post_save.connect(_agreement_saved, sender=Agreement, dispatch_uid="invoicing_agreement_index")
    delivered_not_invoiced.connect(_delivered_not_invoiced, sender=Agreement,
                                   dispatch_uid="invoicing_delivered_not_invoiced")
