"""Gap-free invoice numbers per provider under concurrency: threads on their own connections commit for real."""

from __future__ import annotations

import threading
import uuid

import pytest
from django.db import connection, connections

from portal.marketplace.registry.services import invoice_number_issue
from portal.tenants.models import Municipality

pytestmark = pytest.mark.django_db


def test_concurrent_numbering_is_unique_and_gap_free(muni_a, muni_b):
    provider_id = 10**12 + uuid.uuid4().int % 10**9  # not a real provider: the rows are cleaned up below
    ids = [muni_a.pk, muni_b.pk]
    numbers, failures = [], []
    lock = threading.Lock()

    def worker(index):
        try:
            with connection.cursor() as cursor:  # this thread's own connection: never wait forever
                cursor.execute("SET lock_timeout = '20s'")
            municipality = Municipality.objects.get(pk=ids[index % 2])
            for j in range(5):
                number = invoice_number_issue(provider_id=provider_id, municipality=municipality,
                                              invoice_id=provider_id + index * 100 + j)
                with lock:
                    numbers.append(number)
        except Exception as exc:  # noqa: BLE001 - reported below
            failures.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        assert not failures, failures
        assert sorted(numbers) == list(range(1, 41))
        with connection.cursor() as cursor:  # read what the threads committed
            cursor.execute("SELECT count(*), max(number) FROM registry_issuedinvoicenumber WHERE provider_id = %s",
                           [provider_id])
            assert cursor.fetchone() == (40, 40)
    finally:
        # On its own connection: rows the threads committed are outside this test's transaction.
        _cleanup_committed(provider_id)


def _cleanup_committed(provider_id):
    def run():
        from django.db import connection as own

        with own.cursor() as cursor:
            cursor.execute("DELETE FROM registry_issuedinvoicenumber WHERE provider_id = %s", [provider_id])
            cursor.execute("DELETE FROM registry_invoicenumbercounter WHERE provider_id = %s", [provider_id])
        connections.close_all()

    t = threading.Thread(target=run)
    t.start()
    t.join(60)


def test_a_rolled_back_submission_returns_its_number(muni_a):
    from django.db import transaction

    provider_id = 10**12 + uuid.uuid4().int % 10**9
    first = invoice_number_issue(provider_id=provider_id, municipality=muni_a, invoice_id=provider_id + 1)
    with pytest.raises(RuntimeError), transaction.atomic():
        invoice_number_issue(provider_id=provider_id, municipality=muni_a, invoice_id=provider_id + 2)
        raise RuntimeError("the invoice could not be saved")
    assert invoice_number_issue(provider_id=provider_id, municipality=muni_a, invoice_id=provider_id + 3) == first + 1
