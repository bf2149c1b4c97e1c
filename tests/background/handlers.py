"""An outbox handler for the tests, loaded into the worker with `portal worker --include` and into pytest:
its effect is one audit row per processed event, counted in the municipality's schema."""

from portal.platform.core.models import audit
from portal.platform.outbox.services import outbox_handler

KIND = "test.counted"


@outbox_handler(KIND)
def count(event):
    audit(actor=None, action="create", object_type="test.outbox", object_id=str(event.pk),
          summary=event.payload.get("note", ""))


SLOW_KIND = "test.slow"


@outbox_handler(SLOW_KIND)
def count_slowly(event):
    """The same effect; in a worker started with PORTAL_TEST_HANG_FILE it then hangs (to be killed mid-way)."""
    import os
    import pathlib
    import time

    count(event)
    if os.environ.get("PORTAL_TEST_HANG_FILE"):
        pathlib.Path(os.environ["PORTAL_TEST_HANG_FILE"]).write_text(str(event.pk))
        time.sleep(120)


SCHEDULED = "tests.scheduled"


def _register_scheduled():
    from portal.platform.background.tenancy import tenant_task

    @tenant_task(SCHEDULED)
    def scheduled():
        """A scheduled job's effect: one audit row in the municipality per run."""
        audit(actor=None, action="create", object_type="test.scheduled", object_id="run", summary="")

    return scheduled


scheduled = _register_scheduled()
