"""Fixtures for payments: approved invoices of the shared test world (tests/invoicing/conftest.py), built
through the invoicing area's own services."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from portal.marketplace.invoicing.invoices import invoice_approve, invoice_create, invoice_submit
from portal.marketplace.invoicing.sessions import session_confirm, session_record
from portal.marketplace.payments.models import PaymentSettings
from portal.tenants.roles import Role
from tests.conftest import demo_user
from tests.invoicing.conftest import _ids_beyond_the_demo, _own_staff, active_agreement, today
from tests.factories import build_world

DEBTOR_IBAN = "LV34TREL9999999999999"  # check digits correct (schwifty)


def finance(world):
    return demo_user(Role.FINANCE_OFFICER, world.municipality.code)


@pytest.fixture
def world(muni_a):
    _ids_beyond_the_demo(muni_a)
    with connection.cursor() as cursor:
        cursor.execute("SELECT setval(pg_get_serial_sequence('payments_payment', 'id'), "
                       "GREATEST(nextval(pg_get_serial_sequence('payments_payment', 'id')), 1000000000))")
    world = _own_staff(build_world(muni_a))
    rules = PaymentSettings.current()
    rules.rail, rules.debtor_iban, rules.debtor_name = "bank_file", DEBTOR_IBAN, "Jelgavas valstspilsētas pašvaldība"
    rules.save()
    return world


def submitted_invoice(world, *, sessions=2, agreement=None):
    agreement = agreement or active_agreement(world)
    day = today()
    for i in range(sessions):
        s = session_record(agreement=agreement, actor=world.staff, date=day, units="1", staff_name="Anna",
                           start_time=dt.time(8 + 2 * i, 0))
        session_confirm(session=s, actor=world.person_user)
    invoice = invoice_create(agreement=agreement, year=day.year, month=day.month, actor=world.staff)
    return invoice_submit(invoice=invoice, actor=world.staff)


def approved_invoice(world, **kwargs):
    return invoice_approve(invoice=submitted_invoice(world, **kwargs), actor=finance(world))


@pytest.fixture
def officer(world):
    return finance(world)
