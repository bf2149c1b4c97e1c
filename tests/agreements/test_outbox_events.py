"""Every agreement transition writes one outbox event in its own transaction (the worker's input)."""

import pytest

from portal.platform.outbox.models import OutboxEvent
from tests.factories import active

pytestmark = pytest.mark.django_db


def test_each_transition_writes_one_status_changed_event(world):
    agreement = active(world)  # draft → awaiting provider → active
    events = OutboxEvent.objects.filter(kind="agreement.status_changed", payload__agreement_id=agreement.pk)
    assert [(e.payload["from_status"], e.payload["to_status"]) for e in events] == [
        ("draft", "awaiting_provider"), ("awaiting_provider", "active")]
    assert all(e.processed_at is None for e in events)  # handled after the commit, by the worker
