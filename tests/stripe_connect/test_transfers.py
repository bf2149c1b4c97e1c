"""The Stripe rail: one Transfer per payment, or "waiting" with the reason in words; never a second one."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.utils import translation

from portal.marketplace.stripe_connect.models import ConnectAccount
from portal.marketplace.stripe_connect.transfers import transfer_execute, transfer_reverse
from tests.factories import make_provider

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """The reasons are translated (Latvian by default); the assertions read the English."""
    with translation.override("en"):
        yield




def _ready_provider(standin, *, payouts_enabled=True):
    """A provider whose record here says ready; ``payouts_enabled`` is what Stripe's own account says."""
    provider = make_provider()
    account = standin._account_create({"email": provider.email})  # the account as onboarding left it on Stripe
    account["payouts_enabled"] = payouts_enabled
    ConnectAccount.objects.create(provider=provider, account_id=account["id"], details_submitted=True,
                                  payouts_enabled=True)
    return provider, account["id"]


def _order(provider, amount="125.50", key="jelgava-invoice-7-payment", currency="EUR"):
    """The shape of payments.rails.PaymentOrder (the rail is duck-typed: any object with its attributes)."""
    return SimpleNamespace(payment_id=3, idempotency_key=key, municipality_code="jelgava", schema_name="jelgava",
                 provider_id=provider.pk, invoice_id=7, invoice_number="ATL-2026-0007", amount=Decimal(amount),
                           currency=currency)


def test_a_payment_to_a_ready_account_is_one_transfer_naming_municipality_and_invoice(standin):
    provider, account_id = _ready_provider(standin)
    outcome = transfer_execute(_order(provider))
    assert outcome.status == "sent" and outcome.reference.startswith("tr_")
    transfer = standin.transfers[outcome.reference]
    assert transfer["amount"] == 12550 and transfer["currency"] == "eur" and transfer["destination"] == account_id
    assert transfer["transfer_group"] == "jelgava-invoice-7"
    assert transfer["metadata"] == {"schema_name": "jelgava", "municipality": "jelgava",
                                    "payment_key": "jelgava-invoice-7-payment", "payment_id": "3",
                                    "invoice_id": "7", "invoice_number": "ATL-2026-0007"}
    assert standin.balance["eur"] == 1_000_000 - 12550


def test_a_retry_with_the_same_key_never_creates_a_second_transfer(standin):
    provider, _ = _ready_provider(standin)
    outcomes = [transfer_execute(_order(provider)) for _ in range(3)]
    assert {o.reference for o in outcomes} == {outcomes[0].reference} and {o.status for o in outcomes} == {"sent"}
    assert len(standin.transfers) == 1 and standin.balance["eur"] == 1_000_000 - 12550
    assert standin.count("POST", "/v1/transfers") == 3  # three requests, one transfer (the key replayed it)


def test_a_changed_repeat_under_the_same_key_fails_and_moves_no_money(standin):
    provider, _ = _ready_provider(standin)
    transfer_execute(_order(provider))
    outcome = transfer_execute(_order(provider, amount="99.00"))
    assert outcome.status == "failed" and "Keys for idempotent requests" in outcome.reason
    assert len(standin.transfers) == 1


@pytest.mark.parametrize(("details", "payouts", "due", "reason"), [
    (None, None, [], "Not connected to Stripe."),
    (False, False, [], "Onboarding not finished: details not submitted."),
    (True, False, ["external_account"], "Stripe needs more information: external_account."),
    (True, False, [], "Payouts are not enabled yet."),
])
def test_an_account_not_ready_waits_with_the_reason_and_asks_stripe_nothing(standin, details, payouts, due, reason):
    provider = make_provider()
    if details is not None:
        ConnectAccount.objects.create(provider=provider, account_id=f"acct_x{provider.pk}", details_submitted=details,
                                      payouts_enabled=payouts, currently_due=due)
    outcome = transfer_execute(_order(provider))
    assert (outcome.status, outcome.reason) == ("waiting", reason)
    assert standin.requests == []


def test_stripe_refusing_an_account_without_payouts_waits_with_its_words(standin):
    provider, _ = _ready_provider(standin, payouts_enabled=False)  # our record says ready; Stripe knows better
    outcome = transfer_execute(_order(provider))
    assert outcome.status == "waiting" and "capabilities" in outcome.reason and standin.transfers == {}


def test_insufficient_balance_waits_and_the_same_key_pays_after_a_top_up(standin):
    provider, _ = _ready_provider(standin)
    standin.balance["eur"] = 10_000
    waiting = transfer_execute(_order(provider))
    assert waiting.status == "waiting" and "balance is too low" in waiting.reason and standin.transfers == {}
    standin.balance["eur"] = 50_000  # a top-up
    sent = transfer_execute(_order(provider))
    assert sent.status == "sent" and len(standin.transfers) == 1 and standin.balance["eur"] == 50_000 - 12550


def test_balance_spent_between_the_check_and_the_transfer_is_stripes_balance_insufficient(standin):
    provider, _ = _ready_provider(standin)
    original = standin._transfer_create

    def drained(params):
        standin.balance["eur"] = 0  # another transfer took the money after our balance check
        return original(params)

    standin._transfer_create = drained
    outcome = transfer_execute(_order(provider))
    assert outcome.status == "waiting" and "balance is too low" in outcome.reason and standin.transfers == {}


def test_stripe_unreachable_waits(standin, settings):
    provider, _ = _ready_provider(standin)
    standin.stop()
    outcome = transfer_execute(_order(provider))
    assert outcome.status == "waiting" and "could not be reached" in outcome.reason


def test_stripe_off_waits_without_a_request(standin, settings):
    provider, _ = _ready_provider(standin)
    settings.STRIPE_SECRET_KEY = ""
    outcome = transfer_execute(_order(provider))
    assert outcome.status == "waiting" and "switched off" in outcome.reason and standin.requests == []


def test_a_reversal_returns_the_money_once_per_key(standin):
    provider, _ = _ready_provider(standin)
    sent = transfer_execute(_order(provider))
    first = transfer_reverse(transfer_id=sent.reference, amount=Decimal("25.50"), idempotency_key="rev-1")
    again = transfer_reverse(transfer_id=sent.reference, amount=Decimal("25.50"), idempotency_key="rev-1")
    assert first.status == "sent" and first.reference == again.reference and first.reference.startswith("trr_")
    assert standin.transfers[sent.reference]["amount_reversed"] == 2550
    too_much = transfer_reverse(transfer_id=sent.reference, amount=Decimal("200"), idempotency_key="rev-2")
    assert too_much.status == "waiting" and "greater than unreversed" in too_much.reason


def test_another_key_is_another_payment(standin):
    provider, _ = _ready_provider(standin)
    first, other = transfer_execute(_order(provider)), transfer_execute(_order(provider, key="other-key"))
    assert first.reference != other.reference and len(standin.transfers) == 2


def test_the_platform_admin_sees_the_stripe_balance_and_no_one_else(standin, client_for, user_of,
                                                                      django_assert_max_num_queries):
    from portal.tenants.roles import Role
    from tests.conftest import MUNICIPALITY_A

    standin.balance["eur"] = 123_456
    admin = client_for(None, user=user_of(Role.PLATFORM_ADMIN), language="en")
    with django_assert_max_num_queries(10):
        page = admin.get("/stripe/bilance/").content.decode()
    assert "EUR" in page and "1,234.56" in page  # the English number format
    assert client_for(None, user=user_of(Role.PROVIDER_STAFF)).get("/stripe/bilance/").status_code == 403
    finance = user_of(Role.FINANCE_OFFICER, MUNICIPALITY_A)
    assert client_for(MUNICIPALITY_A, user=finance).get("/stripe/bilance/").status_code in (403, 404)
    standin.stop()
    assert "Stripe could not be reached" in admin.get("/stripe/bilance/").content.decode()


def test_register_hands_the_rail_to_the_payment_core_when_it_is_installed(monkeypatch):
    """The payment core is merged from its own branch; here a stand-in module records the registration."""
    import importlib.util
    import sys
    import types

    from portal.marketplace.stripe_connect.transfers import register

    if importlib.util.find_spec("portal.marketplace.payments") is None:
        register()  # without the payment core: nothing to register with, and no error
        registered = {}
        rails = types.ModuleType("portal.marketplace.payments.rails")
        rails.register_rail = lambda name, execute: registered.update({name: execute})
        monkeypatch.setitem(sys.modules, "portal.marketplace.payments", types.ModuleType("portal.marketplace.payments"))
        monkeypatch.setitem(sys.modules, "portal.marketplace.payments.rails", rails)
        register()
        assert registered == {"stripe": transfer_execute}
    else:  # merged: AppConfig.ready registered it already
        from portal.marketplace.payments import rails

        assert "stripe" in str(vars(rails))
