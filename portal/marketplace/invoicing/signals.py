"""Keeps the provider's cross-municipality index current for agreements too.

Agreements belong to the agreements area; rather than asking every one of its
services to remember the index, the index follows each saved agreement on commit.
"""

from django.db import connection
from django.db.models.signals import post_save


def _agreement_saved(sender, instance, **kwargs):
    if getattr(connection, "tenant", None) is None or connection.schema_name == "public":
        return
    from .index import sync_agreement

    sync_agreement(instance)


def connect():
    from portal.marketplace.agreements.models import Agreement

    post_save.connect(_agreement_saved, sender=Agreement, dispatch_uid="invoicing_agreement_index")
