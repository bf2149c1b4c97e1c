"""Connecting a provider: one Stripe account per provider, onboarding by Account Link, readiness from events."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from portal.platform.core.models import AuditEvent, audit

from .client import stripe_client, stripe_errors
from .models import ConnectAccount


def connect_account_for(provider) -> ConnectAccount | None:
    return ConnectAccount.objects.filter(provider=provider).first()


def readiness_by_provider(provider_ids) -> dict[int, ConnectAccount]:
    """{provider id: its account} for the given providers (one query)."""
    return {a.provider_id: a for a in ConnectAccount.objects.filter(provider_id__in=list(provider_ids))}


def account_connect(*, provider, actor, return_url: str, refresh_url: str, request=None) -> str:
    """The onboarding address for ``provider``: its account is created once (a second call reuses it)."""
    client = stripe_client()
    account = connect_account_for(provider)
    if account is None:
        with stripe_errors():
            created = client.v1.accounts.create(params={
                "type": "express", "country": "LV", "email": provider.email or None,
                "capabilities": {"transfers": {"requested": True}},
                "business_profile": {"name": provider.name},
                "metadata": {"provider_id": str(provider.pk)},
            }, options={"idempotency_key": f"sbs-connect-provider-{provider.pk}"})
        try:
            with transaction.atomic():
                account = ConnectAccount.objects.create(
                    provider=provider, account_id=created.id, details_submitted=bool(created.details_submitted),
                    payouts_enabled=bool(created.payouts_enabled),
                    currently_due=list(getattr(created.requirements, "currently_due", None) or []))
                audit(actor=actor, action=AuditEvent.Action.CREATE, obj=account,
                      message="stripe.account_created",
                      params={"account": created.id, "name": provider.name}, request=request)
        except IntegrityError:  # two staff members at once: the idempotency key gave both the same account
            account = ConnectAccount.objects.get(provider=provider)
    with stripe_errors():
        link = client.v1.account_links.create(params={
            "account": account.account_id, "type": "account_onboarding",
            "return_url": return_url, "refresh_url": refresh_url,
        })
    return link.url


def account_state_apply(*, account_id: str, details_submitted: bool, payouts_enabled: bool,
                        currently_due: list, created: int, event_id: str) -> str:
    """Apply an ``account.updated`` unless an event as new or newer was applied already (order-independent)."""
    account = ConnectAccount.objects.select_for_update().filter(account_id=account_id).first()
    if account is None:
        return "unknown account"
    if (created, event_id) <= (account.state_created, account.state_event_id):
        return "older than the applied state"
    account.details_submitted, account.payouts_enabled = details_submitted, payouts_enabled
    account.currently_due = sorted(currently_due)
    account.state_created, account.state_event_id = created, event_id
    account.save()
    return "applied"


def readiness_text(account: ConnectAccount | None) -> str:
    """The account's readiness in words (for pages and a payment's waiting reason)."""
    if account is None:
        return _("Not connected to Stripe.")
    if account.is_ready:
        return _("Ready: payouts are enabled.")
    if not account.details_submitted:
        return _("Onboarding not finished: details not submitted.")
    if account.currently_due:
        return _("Stripe needs more information: %(fields)s.") % {"fields": ", ".join(account.currently_due)}
    return _("Payouts are not enabled yet.")
