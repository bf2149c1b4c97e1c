"""Loaded into the worker of tests/payments/test_worker_killed.py (``--include``): a rail named "test_ledger"
that plays a bank keeping its own record in a file (``PORTAL_TEST_LEDGER``). Each instruction is written as it
arrives (with the worker process's pid); the bank books one transfer per idempotency key, as Stripe's
Idempotency-Key and a bank's end-to-end id do. Then the rail waits ``PORTAL_TEST_LEDGER_PAUSE`` seconds before
answering: the window in which the test kills the worker — after the money left, before the portal committed."""

import fcntl
import json
import os
import time

from portal.marketplace.payments.rails import RailOutcome, register_rail

RAIL = "test_ledger"


def send(order):
    path = os.environ["PORTAL_TEST_LEDGER"]
    with open(path, "a+") as ledger:
        fcntl.flock(ledger, fcntl.LOCK_EX)
        ledger.seek(0)
        booked = any(json.loads(line)["key"] == order.idempotency_key and json.loads(line)["booked"]
                     for line in ledger if line.strip())
        ledger.write(json.dumps({"key": order.idempotency_key, "pid": os.getpid(), "booked": not booked}) + "\n")
        ledger.flush()
    time.sleep(float(os.environ.get("PORTAL_TEST_LEDGER_PAUSE", "0")))
    return RailOutcome("sent", reference=f"ledger-{order.payment_id}")


register_rail(RAIL, send)
