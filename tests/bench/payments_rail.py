"""Loaded into the payments benchmark's `portal worker` (``--include``) and into the benchmark: a rail named
"bench" that sends at once (the lag measured is the portal's machinery, not a bank's), and the bare Celery
task of the floor."""

from portal.marketplace.payments.rails import RailOutcome, register_rail
from tests.bench.background_tasks import ping  # noqa: F401  (the floor's task, registered in the worker too)

RAIL = "bench"


def send_at_once(order):
    return RailOutcome("sent", reference=f"bench-{order.payment_id}")


register_rail(RAIL, send_at_once)
