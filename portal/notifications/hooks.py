"""The notifications area's answer to the national site's provider verification.

A platform administrator verifies a provider in ``public``, which has no outbox (events live in a
municipality's schema). ``catalogue.signals.provider_verified`` is sent inside the verification's transaction,
and this receiver writes the provider staff's notifications (also in ``public``, ADR 0010) in that same
transaction: they commit together or not at all, as an outbox handler's would; the e-mail and the live push
go on commit.
"""

from portal.marketplace.catalogue.models import Provider
from portal.marketplace.catalogue.signals import provider_verified

from .recipients import provider_verified_notify


def _provider_verified(sender, provider_id, **kwargs):
    provider_verified_notify(provider_id=provider_id)


def connect():
    provider_verified.connect(_provider_verified, sender=Provider, dispatch_uid="notifications_provider_verified")
