"""Notifications: create (from outbox handlers), read, mark read, preferences; e-mail and the live push.

``notify(...)`` is called inside an outbox handler's transaction. It writes the notification in the schema
where the recipient reads it — the municipality's for its people and staff, ``public`` for national users
(provider staff) — honours the recipient's preference for the kind, and on commit pushes it to the
recipient's open pages (group ``n.<schema>.<user id>`` on the channel layer) and sends the e-mail in the
recipient's language. A second delivery of the same event creates nothing (unique on schema, event,
recipient and kind) and sends nothing.
"""

from __future__ import annotations

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django_tenants.utils import schema_context

from portal.budgets.people.selectors import users_without_email_consent
from portal.platform.accounts.models import User
from portal.tenants.links import absolute_url

from .models import Channel, Kind, Notification, Preference

logger = logging.getLogger("portal.notifications")

TEXTS = {
    Kind.AGREEMENT_TO_CONFIRM: _("Agreement %(agreement)s for %(service)s waits for your confirmation."),
    Kind.AGREEMENT_PROPOSED: _("New agreement request %(agreement)s for %(service)s in %(municipality)s."),
    Kind.AGREEMENT_ACCEPTED: _("Agreement %(agreement)s for %(service)s was accepted."),
    Kind.AGREEMENT_DECLINED: _("Agreement %(agreement)s for %(service)s was declined."),
    Kind.AGREEMENT_EXPIRED: _("Agreement request %(agreement)s for %(service)s expired without an answer."),
    Kind.AGREEMENT_CANCELLED: _("Agreement %(agreement)s for %(service)s was cancelled."),
    Kind.SESSION_RECORDED: _("A session of %(service)s on %(date)s was recorded: confirm or dispute it."),
    Kind.SESSION_DISPUTED: _("The session of %(service)s on %(date)s was disputed (%(municipality)s)."),
    Kind.INVOICE_SUBMITTED: _("Invoice %(invoice)s was submitted for approval."),
    Kind.INVOICE_APPROVED: _("Invoice %(invoice)s was approved (%(municipality)s)."),
    Kind.INVOICE_REJECTED: _("Invoice %(invoice)s was rejected (%(municipality)s)."),
    Kind.INVOICE_PAID: _("Invoice %(invoice)s was paid (%(municipality)s)."),
    Kind.PLAN_APPROVED: _("The support plan (version %(version)s) was approved."),
    Kind.PLAN_REVIEW_DUE: _("The support plan of %(person)s is due for review."),
    Kind.BUDGET_ALERT: _("Budget alert for %(person)s: %(alert)s"),
    Kind.PROVIDER_APPROVED: _("%(municipality)s decided on your provider %(provider)s."),
    (Kind.PROVIDER_APPROVED, "approved"): _("%(municipality)s approved your provider %(provider)s."),
    (Kind.PROVIDER_APPROVED, "refused"): _("%(municipality)s refused your provider %(provider)s."),
    (Kind.PROVIDER_APPROVED, "suspended"): _("%(municipality)s suspended your provider %(provider)s."),
    Kind.PROVIDER_VERIFIED: _("The platform verified your provider %(provider)s: municipalities can now approve it."),
    Kind.SERVICE_APPROVED: _("%(municipality)s decided on services of %(provider)s (%(count)s)."),
    (Kind.SERVICE_APPROVED, "approved"): _("%(municipality)s approved services of %(provider)s (%(count)s)."),
    (Kind.SERVICE_APPROVED, "refused"): _("%(municipality)s refused services of %(provider)s (%(count)s)."),
    Kind.PAYMENT_FAILED: _("The payment of invoice %(invoice)s did not go through."),
    (Kind.PAYMENT_FAILED, "returned"): _("The payment of invoice %(invoice)s came back from the bank."),
    (Kind.PAYMENT_FAILED, "waiting"): _("The payment of invoice %(invoice)s is waiting: look at the reason."),
    Kind.MESSAGE_RECEIVED: _("New message about agreement %(agreement)s for %(service)s."),
    Kind.MESSAGE_REPORTED: _("A message about agreement %(agreement)s for %(service)s was reported."),
}


def notification_text(notification: Notification) -> str:
    """The text in the active language; a kind may have a text per decision (``params["status"]``)."""
    params = notification.params if isinstance(notification.params, dict) else {}
    template = TEXTS.get((notification.kind, params.get("status"))) or TEXTS.get(notification.kind)
    if template is None:
        return str(notification.kind)
    try:
        return str(template) % _Params(notification.params)
    except (KeyError, TypeError, ValueError):
        return str(Kind(notification.kind).label)


class _Params(dict):
    def __missing__(self, key):
        return ""


def group_name(schema_name: str, user_id: int) -> str:
    """The channel-layer group of one user's open pages on one site: the schema is part of the name."""
    return f"n.{schema_name}.{user_id}"


def channel_for(user_id: int, kind: str) -> str:
    preference = Preference.objects.filter(user_id=user_id, kind=kind).values_list("channel", flat=True).first()
    return preference or Channel.BOTH


def notify(*, recipients, kind: str, params: dict, link: str = "", event=None, national: bool = False) -> int:
    """Notify each of ``recipients`` (user ids). ``national``: they read on the national site (public schema).

    Returns how many notifications were written. Call inside the transaction of the change (or handler).
    """
    source = connection.schema_name
    schema = settings.PUBLIC_SCHEMA_NAME if national else source
    recipients = sorted({r for r in recipients if r})
    # A person who withdrew the consent to contact by e-mail is told on the page only.
    page_only = set() if national or not recipients else users_without_email_consent(recipients)
    written = 0
    with schema_context(schema):
        for user_id in recipients:
            channel = channel_for(user_id, kind)
            if user_id in page_only and channel in (Channel.EMAIL, Channel.BOTH):
                channel = Channel.PAGE
            if channel == Channel.NONE:
                continue
            try:
                with transaction.atomic():
                    notification = Notification.objects.create(
                        recipient_id=user_id, kind=kind, params=params, link=link,
                        source_schema=source if event is not None else "",
                        event_id=event.pk if event is not None else None,
                        read_at=timezone.now() if channel == Channel.EMAIL else None)
            except IntegrityError:
                continue  # this event notified this user already
            written += 1
            if channel in (Channel.PAGE, Channel.BOTH):
                _push_on_commit(schema, notification)
            if channel in (Channel.EMAIL, Channel.BOTH):
                _mail_on_commit(schema, notification)
    return written


def unread_count(user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def _push_on_commit(schema: str, notification: Notification) -> None:
    unread = Notification.objects.filter(recipient_id=notification.recipient_id, read_at__isnull=True).count()
    user = User.objects.filter(pk=notification.recipient_id).only("preferred_language").first()
    with translation.override(getattr(user, "preferred_language", None) or settings.LANGUAGE_CODE):
        text = notification_text(notification)
    message = {"type": "notify", "id": notification.pk, "kind": notification.kind, "text": text,
               "link": notification.link, "unread": unread}
    transaction.on_commit(lambda: push(schema, notification.recipient_id, message))


def push(schema: str, user_id: int, message: dict) -> None:
    """Send ``message`` to every open page of the user on that site. Never raises: the page still shows it."""
    try:
        async_to_sync(get_channel_layer().group_send)(group_name(schema, user_id), message)
    except Exception:  # noqa: BLE001 - a channel layer that is down must not fail the handler after commit
        logger.warning("notification push to %s in %s failed", user_id, schema, exc_info=True)


def _mail_on_commit(schema: str, notification: Notification) -> None:
    user = User.objects.filter(pk=notification.recipient_id).first()
    if user is None or not user.email:
        return
    with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
        text = notification_text(notification)
        subject = str(_("SBS portal: %(text)s")) % {"text": text[:120]}
        link = absolute_url(notification.link, schema_name=schema)  # the site where the recipient reads
        body = text + (f"\n\n{link}" if link else "")
    pk = notification.pk

    def send():
        send_mail(subject, body, None, [user.email], fail_silently=True)
        with schema_context(schema):
            Notification.objects.filter(pk=pk).update(emailed_at=timezone.now())

    transaction.on_commit(send)


def notification_mark_read(*, user, notification_id=None) -> int:
    """Mark one of ``user``'s notifications (or, with no id, all of them) read. Returns how many changed."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_id is not None:
        unread = unread.filter(pk=notification_id)
    return unread.update(read_at=timezone.now())


def preferences_of(user) -> dict[str, str]:
    chosen = dict(Preference.objects.filter(user=user).values_list("kind", "channel"))
    return {kind: chosen.get(kind, Channel.BOTH) for kind in Kind.values}


def preferences_set(*, user, channels: dict[str, str]) -> None:
    """Save ``{kind: channel}``; unknown kinds or channels are ignored."""
    with transaction.atomic():
        for kind, channel in channels.items():
            if kind in Kind.values and channel in Channel.values:
                Preference.objects.update_or_create(user=user, kind=kind, defaults={"channel": channel})
