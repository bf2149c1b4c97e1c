"""Two agreements racing for the last euros, from threads on real PostgreSQL: one wins, the other is
refused with a clear message and writes nothing. The setup is committed (threads need to see it)."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connection

from portal.budgets.ledger.models import BudgetCategory, LedgerEntry
from portal.marketplace.agreements import services
from portal.marketplace.agreements.models import Agreement, AgreementEvent
from portal.tenants.models import Municipality
from portal.tenants.roles import Role
from tests.conftest import MUNICIPALITY_A, demo_user
from tests.factories import approve, make_budget_with_categories, make_person, make_provider, make_service, sent


@pytest.mark.django_db
def test_a_second_accept_with_the_same_key_reserves_nothing_more(world):
    """Idempotency: the reservation key is derived from the agreement, so a retry cannot double-reserve.

    (Also the first test of this module: it sets the session database up inside a normal test.)"""
    agreement = services.agreement_accept(agreement=sent(world, total_units="5", units_per_week=None),
                                          actor=world.staff)
    from portal.budgets.ledger.services import funds_reserve

    again = funds_reserve(category=agreement.category, amount=agreement.total_amount, reference="retry",
                          idempotency_key=services.reserve_key(agreement), actor=world.staff)
    assert again.pk == agreement.reservation_id
    assert BudgetCategory.objects.get(pk=agreement.category_id).reserved == Decimal("50.00")


def _accept_in_thread(municipality, agreement_id, staff, barrier, results):
    try:
        connection.set_tenant(municipality)
        agreement = Agreement.objects.get(pk=agreement_id)
        barrier.wait(timeout=10)
        services.agreement_accept(agreement=agreement, actor=staff)
        results[agreement_id] = "accepted"
    except Exception as error:  # noqa: BLE001 — the refusal is what we assert
        results[agreement_id] = getattr(error, "code", repr(error))
    finally:
        connection.close()


@pytest.mark.parametrize("racers", [2, 6])
def test_agreements_racing_for_the_last_euros(django_db_setup, django_db_blocker, racers):
    with django_db_blocker.unblock():
        municipality = Municipality.objects.get(code=MUNICIPALITY_A)
        connection.set_tenant(municipality)
        staff = demo_user(Role.PROVIDER_STAFF)
        person_user = demo_user(Role.PERSON, MUNICIPALITY_A)
        provider = make_provider(staff=staff, name="Race")
        service = make_service(provider, "respite-care", "10.00")
        approve(provider, service)
        person = make_person()
        # The person acts through the demo person's account only for this person; link and unlink after.
        person.user = person_user
        person.save(update_fields=["user"])
        _budget, (category,) = make_budget_with_categories(person, [("respite-care", "100.00")])
        ids = []
        for _ in range(racers):
            agreement = services.agreement_draft_create(person=person, service=service, actor=person_user,
                                                        total_units="8")  # 80 EUR each: only one fits
            services.agreement_confirm(agreement=agreement, actor=person_user)
            ids.append(agreement.pk)
        person.user = None
        person.save(update_fields=["user"])
        events_before = AgreementEvent.objects.filter(agreement_id__in=ids).count()

        barrier, results = threading.Barrier(racers), {}
        threads = [threading.Thread(target=_accept_in_thread, args=(municipality, pk, staff, barrier, results))
                   for pk in ids]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)

        connection.set_tenant(municipality)
        assert sorted(results.values()) == ["accepted"] + ["budget.insufficient_funds"] * (racers - 1)
        statuses = dict(Agreement.objects.filter(pk__in=ids).values_list("pk", "status"))
        assert sorted(statuses.values()) == ["active"] + ["awaiting_provider"] * (racers - 1)
        category.refresh_from_db()
        assert category.reserved == Decimal("80.00") and category.available == Decimal("20.00")
        assert LedgerEntry.objects.filter(category=category, kind="reserve").count() == 1
        # The losers wrote nothing: one event (the winner's) more than before.
        assert AgreementEvent.objects.filter(agreement_id__in=ids).count() == events_before + 1
        connection.set_schema_to_public()


def _step_in_thread(municipality, step, agreement_id, actor, barrier, results, key):
    try:
        connection.set_tenant(municipality)
        agreement = Agreement.objects.get(pk=agreement_id)
        barrier.wait(timeout=10)
        step(agreement=agreement, actor=actor)
        results[key] = "done"
    except Exception as error:  # noqa: BLE001
        results[key] = getattr(error, "code", repr(error))
    finally:
        connection.close()


def _withdraw(*, agreement, actor):
    return services.agreement_cancel(agreement=agreement, actor=actor, only_if_open=True)


def test_withdraw_racing_acceptance_one_transition_wins(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        municipality = Municipality.objects.get(code=MUNICIPALITY_A)
        connection.set_tenant(municipality)
        staff = demo_user(Role.PROVIDER_STAFF)
        person_user = demo_user(Role.PERSON, MUNICIPALITY_A)
        provider = make_provider(staff=staff, name="Race2")
        service = make_service(provider, "respite-care", "10.00")
        approve(provider, service)
        person = make_person()
        person.user = person_user
        person.save(update_fields=["user"])
        _budget, (category,) = make_budget_with_categories(person, [("respite-care", "100.00")])
        agreement = services.agreement_draft_create(person=person, service=service, actor=person_user,
                                                    total_units="5")
        services.agreement_confirm(agreement=agreement, actor=person_user)
        barrier, results = threading.Barrier(2), {}
        threads = [
            threading.Thread(target=_step_in_thread, args=(municipality, services.agreement_accept, agreement.pk,
                                                           staff, barrier, results, "accept")),
            threading.Thread(target=_step_in_thread, args=(municipality, _withdraw, agreement.pk,
                                                           person_user, barrier, results, "withdraw")),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        person.user = None
        person.save(update_fields=["user"])
        connection.set_tenant(municipality)
        assert sorted(results.values()) == ["agreement.wrong_state", "done"]
        agreement.refresh_from_db()
        category.refresh_from_db()
        if results["accept"] == "done":
            assert agreement.status == "active" and category.reserved == Decimal("50.00")
        else:
            assert agreement.status == "cancelled" and category.reserved == 0
        connection.set_schema_to_public()
