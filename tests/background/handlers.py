"""An outbox handler for the tests, loaded into the worker with `portal worker --include` and into pytest:
its effect is one audit row per processed event, counted in the municipality's schema."""

from portal.platform.core.models import audit
from portal.platform.outbox.services import outbox_handler

KIND = "test.counted"


@outbox_handler(KIND)
def count(event):
    audit(actor=None, action="create", object_type="test.outbox", object_id=str(event.pk),
          summary=event.payload.get("note", ""))
