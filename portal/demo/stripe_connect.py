"""Demo data for Stripe Connect: some providers connected (ready), some half-way, the rest not connected.

No network: the account ids and readiness are written directly, as ``account.updated`` events would
have left them. With Stripe off (the embedded default) the pages say so and payments use the bank file.
"""

from __future__ import annotations

from portal.marketplace.catalogue.models import Provider
from portal.marketplace.stripe_connect.models import ConnectAccount

DEMO_STATE_CREATED = 1_767_225_600  # 2026-01-01: a real event is newer and replaces the demo state


def load_public(out=None):
    """Of the verified providers, by id: every third ready, every third onboarding, the rest not connected."""
    if ConnectAccount.objects.exists():
        if out is not None:
            print(f"• Stripe Connect: already there ({ConnectAccount.objects.count()} accounts)", file=out, flush=True)
        return
    providers = list(Provider.objects.filter(status=Provider.Status.VERIFIED).order_by("pk")[:60])
    accounts = []
    for index, provider in enumerate(providers):
        if index % 3 == 2:
            continue  # not connected: paid by bank transfer
        ready = index % 3 == 0
        accounts.append(ConnectAccount(
            provider=provider, account_id=f"acct_demo{provider.pk:010d}", details_submitted=ready,
            payouts_enabled=ready, currently_due=[] if ready else ["external_account", "tos_acceptance.date"],
            state_created=DEMO_STATE_CREATED, state_event_id=f"evt_demo{provider.pk:010d}"))
    ConnectAccount.objects.bulk_create(accounts)
    if out is not None:
        ready = sum(1 for a in accounts if a.payouts_enabled)
        print(f"• Stripe Connect: {len(accounts)} accounts ({ready} ready)", file=out, flush=True)
