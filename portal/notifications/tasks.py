"""Outbox handlers that turn domain events into notifications, and the daily reminders.

Each handler runs in the event's municipality schema and transaction (see platform/outbox). Payloads carry
ids only; the handler reads what it needs. Idempotent: ``notify`` writes at most one notification per
(schema, event, recipient, kind).
"""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.utils import timezone

from portal.budgets.ledger.selectors import plans_review_due
from portal.budgets.people.models import SupportPlan
from portal.marketplace.agreements.models import Agreement, AgreementStatus
from portal.marketplace.invoicing.models import Invoice, Session
from portal.marketplace.invoicing.oversight import budget_alerts
from portal.marketplace.payments.models import Payment
from portal.platform.background.tenancy import tenant_task
from portal.platform.outbox.services import outbox_handler

from .models import Kind, Notification
from .recipients import PUBLIC_URLS, TENANT_URLS, _provider, _url, deciders, finance_officers, provider_staff
from .services import notify


def _agreement_params(agreement) -> dict:
    return {"agreement": agreement.pk, "service": agreement.service.title_lv,
            "municipality": connection.tenant.name}


_FAMILY_ON = {
    AgreementStatus.AWAITING_PERSON: Kind.AGREEMENT_TO_CONFIRM,
    AgreementStatus.ACTIVE: Kind.AGREEMENT_ACCEPTED,
    AgreementStatus.DECLINED: Kind.AGREEMENT_DECLINED,
    AgreementStatus.EXPIRED: Kind.AGREEMENT_EXPIRED,
    AgreementStatus.CANCELLED: Kind.AGREEMENT_CANCELLED,
}


@outbox_handler("agreement.status_changed")
def agreement_changed(event) -> None:
    agreement = Agreement.objects.select_related("person", "service").filter(
        pk=event.payload["agreement_id"]).first()
    if agreement is None:
        return
    to_status = event.payload.get("to_status")
    params = _agreement_params(agreement)
    family_link = _url("agreements:detail", TENANT_URLS, agreement_id=agreement.pk)
    provider_link = _url("invoicing:provider-agreement", PUBLIC_URLS, code=connection.tenant.code,
                         agreement_id=agreement.pk)
    kind = _FAMILY_ON.get(to_status)
    if kind is not None:
        recipients = deciders(agreement.person)
        if to_status != AgreementStatus.AWAITING_PERSON:
            recipients.append(agreement.person.social_worker_id)
        elif agreement.prepared_by_id:
            recipients = [r for r in recipients if r != agreement.prepared_by_id]
        notify(recipients=recipients, kind=kind, params=params, link=family_link, event=event)
    if to_status == AgreementStatus.AWAITING_PROVIDER:
        notify(recipients=provider_staff(agreement.provider_id), kind=Kind.AGREEMENT_PROPOSED, params=params,
               link=provider_link, event=event, national=True)
    elif to_status in (AgreementStatus.CANCELLED, AgreementStatus.EXPIRED) and agreement.sent_at:
        notify(recipients=provider_staff(agreement.provider_id), kind=_FAMILY_ON[to_status], params=params,
               link=provider_link, event=event, national=True)


def _session(event):
    return Session.objects.select_related("agreement__person", "agreement__service").filter(
        pk=event.payload["session_id"]).first()


@outbox_handler("session.recorded")
def session_recorded(event) -> None:
    session = _session(event)
    if session is None:
        return
    params = {**_agreement_params(session.agreement), "date": session.date.strftime("%d.%m.%Y")}
    notify(recipients=deciders(session.agreement.person), kind=Kind.SESSION_RECORDED, params=params,
           link=_url("invoicing:family-session", TENANT_URLS, session_id=session.pk), event=event)


@outbox_handler("session.disputed")
def session_disputed(event) -> None:
    session = _session(event)
    if session is None:
        return
    params = {**_agreement_params(session.agreement), "date": session.date.strftime("%d.%m.%Y")}
    notify(recipients=provider_staff(session.agreement.provider_id), kind=Kind.SESSION_DISPUTED, params=params,
           link=_url("invoicing:provider-session", PUBLIC_URLS, code=connection.tenant.code, session_id=session.pk),
           event=event, national=True)


def _invoice_handler(kind: str):
    def handle(event) -> None:
        invoice = Invoice.objects.select_related("agreement__service").filter(pk=event.payload["invoice_id"]).first()
        if invoice is None:
            return
        params = {**_agreement_params(invoice.agreement), "invoice": invoice.display_number}
        if kind == Kind.INVOICE_SUBMITTED:
            notify(recipients=finance_officers(), kind=kind, params=params,
                   link=_url("invoicing:finance-invoice", TENANT_URLS, invoice_id=invoice.pk), event=event)
        else:
            notify(recipients=provider_staff(invoice.provider_id), kind=kind, params=params, event=event,
                   link=_url("invoicing:provider-invoice", PUBLIC_URLS, code=connection.tenant.code,
                             invoice_id=invoice.pk), national=True)
    return handle


for _kind in (Kind.INVOICE_SUBMITTED, Kind.INVOICE_APPROVED, Kind.INVOICE_REJECTED, Kind.INVOICE_PAID):
    outbox_handler(str(_kind))(_invoice_handler(_kind))


@outbox_handler("payment.failed")
def payment_failed(event) -> None:
    """``{"payment": id, "invoice": id}`` (emitted by the payments area): the municipality's finance officers
    look at it. The text follows the payment's state when the handler runs (failed, returned, waiting)."""
    payment = (Payment.objects.select_related("invoice").filter(pk=event.payload.get("payment"))
               .only("pk", "status", "invoice__id", "invoice__number", "invoice__provider_id").first())
    if payment is None:
        return
    notify(recipients=finance_officers(), kind=Kind.PAYMENT_FAILED, event=event,
           params={"invoice": payment.invoice.display_number, "status": payment.status,
                   "payment": payment.pk},
           link=_url("payments:list", TENANT_URLS) + f"?status={payment.status}")


@outbox_handler("plan.approved")
def plan_approved(event) -> None:
    plan = SupportPlan.objects.select_related("person").filter(pk=event.payload["plan_id"]).first()
    if plan is None:
        return
    notify(recipients=deciders(plan.person), kind=Kind.PLAN_APPROVED, params={"version": plan.version},
           link=_url("people:my-plan", TENANT_URLS), event=event)


# ---- providers: verified by the platform, decided on by a municipality (provider staff read in public)

# The approval decided on a provider, or on some of its services: one notice to the provider's staff.
_APPROVAL_DECIDED = {
    "provider.approval_decided": (Kind.PROVIDER_APPROVED, "catalogue:my-provider"),
    "service.approval_decided": (Kind.SERVICE_APPROVED, "catalogue:my-services"),
}


@outbox_handler("provider.approval_decided")
@outbox_handler("service.approval_decided")
def approval_decided(event) -> None:
    provider = _provider(event.payload["provider_id"])
    if provider is None:
        return
    kind, view = _APPROVAL_DECIDED[event.kind]
    params = {"provider": provider.name, "municipality": connection.tenant.name,
              "status": event.payload.get("status", "")}
    if kind == Kind.SERVICE_APPROVED:
        params["count"] = len(event.payload.get("service_ids") or [])
    notify(recipients=provider_staff(provider.pk), kind=kind, event=event, national=True, params=params,
           link=_url(view, PUBLIC_URLS, slug=provider.slug))


def reminders_send(*, today: dt.date | None = None) -> int:
    """Plan reviews due and budget alerts, to each person's social worker, once a week at most per subject."""
    today = today or timezone.localdate()
    week_ago = timezone.now() - dt.timedelta(days=7)
    recent = set(Notification.objects.filter(kind__in=[Kind.PLAN_REVIEW_DUE, Kind.BUDGET_ALERT],
                                             created_at__gte=week_ago)
                 .values_list("recipient_id", "kind", "params__subject"))
    written = 0
    for plan in plans_review_due(today=today):
        subject = f"plan:{plan.pk}"
        if plan.person.social_worker_id and (plan.person.social_worker_id, Kind.PLAN_REVIEW_DUE, subject) not in recent:
            written += notify(recipients=[plan.person.social_worker_id], kind=Kind.PLAN_REVIEW_DUE,
                              params={"person": plan.person.full_name, "subject": subject},
                              link=_url("people:plan-review", TENANT_URLS, person_id=plan.person_id, plan_id=plan.pk))
    for alert in budget_alerts(today=today):
        worker = alert.person.social_worker_id
        subject = f"alert:{alert.code}:{alert.budget.pk}:{getattr(alert.category, 'pk', '')}"
        if worker and (worker, Kind.BUDGET_ALERT, subject) not in recent:
            written += notify(recipients=[worker], kind=Kind.BUDGET_ALERT,
                              params={"person": alert.person.full_name, "alert": str(alert.text), "subject": subject},
                              link=_url("people:person", TENANT_URLS, person_id=alert.person.pk))
    return written


@tenant_task("portal.notifications.reminders")
def reminders() -> int:
    return reminders_send()
