"""Sent after a commit that changed the catalogue, so listeners (search indexing) can follow.

``catalogue_changed.send(sender=Provider, provider_id=..., service_ids=[...])``
"""

from django.dispatch import Signal

catalogue_changed = Signal()
