"""Sent after a commit that changed the catalogue, so listeners (search indexing) can follow.

``catalogue_changed.send(sender=Provider, provider_id=..., service_ids=[...])``

``provider_verified.send(sender=Provider, provider_id=...)`` is sent *inside* the verification's transaction
(the national site's decision lives in ``public``, which has no outbox): a listener's writes (the provider
staff's notifications, also in ``public``) commit with the verification or not at all.
"""

from django.dispatch import Signal

catalogue_changed = Signal()
provider_verified = Signal()
