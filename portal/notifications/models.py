"""Notifications and preferences.

The app is both a shared and a tenant app: its tables exist in every municipality's schema — where the
notifications of that municipality's people and staff live — and in the public schema, for national users
(provider staff, who work on the national site). A notification is written in the schema of the site where
its recipient reads it; nothing is ever read across schemas.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    AGREEMENT_TO_CONFIRM = "agreement.to_confirm", _("An agreement waits for your confirmation")
    AGREEMENT_PROPOSED = "agreement.proposed", _("A new agreement request")
    AGREEMENT_ACCEPTED = "agreement.accepted", _("An agreement was accepted")
    AGREEMENT_DECLINED = "agreement.declined", _("An agreement was declined")
    AGREEMENT_EXPIRED = "agreement.expired", _("An agreement request expired")
    AGREEMENT_CANCELLED = "agreement.cancelled", _("An agreement was cancelled")
    SESSION_RECORDED = "session.recorded", _("A session was recorded")
    SESSION_DISPUTED = "session.disputed", _("A session was disputed")
    INVOICE_SUBMITTED = "invoice.submitted", _("An invoice was submitted")
    INVOICE_APPROVED = "invoice.approved", _("An invoice was approved")
    INVOICE_REJECTED = "invoice.rejected", _("An invoice was rejected")
    INVOICE_PAID = "invoice.paid", _("An invoice was paid")
    PLAN_APPROVED = "plan.approved", _("A support plan was approved")
    PLAN_REVIEW_DUE = "plan.review_due", _("A plan review is due")
    BUDGET_ALERT = "budget.alert", _("A budget alert")
    PROVIDER_APPROVED = "provider.approved", _("A municipality decided on your provider")
    PROVIDER_VERIFIED = "provider.verified", _("The platform verified your provider")
    SERVICE_APPROVED = "service.approved", _("A municipality decided on your services")
    PAYMENT_FAILED = "payment.failed", _("A payment failed")
    MESSAGE_RECEIVED = "message.received", _("A new message about an agreement")
    MESSAGE_REPORTED = "message.reported", _("A message was reported to the municipality")


class Channel(models.TextChoices):
    PAGE = "page", _("On the page")
    EMAIL = "email", _("By e-mail")
    BOTH = "both", _("On the page and by e-mail")
    NONE = "none", _("Not at all")


class Notification(models.Model):
    Kind = Kind

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+",
                                  verbose_name=_("recipient"))
    kind = models.CharField(_("kind"), max_length=40, choices=Kind.choices)
    params = models.JSONField(_("details"), default=dict, blank=True)  # ids and short labels, never prose
    link = models.CharField(_("link"), max_length=300, blank=True)
    # The outbox event it came from (schema + id): a redelivered event never notifies twice.
    source_schema = models.CharField(_("from municipality schema"), max_length=63, blank=True)
    event_id = models.BigIntegerField(_("event"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [models.UniqueConstraint(fields=["source_schema", "event_id", "recipient", "kind"],
                                               condition=Q(event_id__isnull=False),
                                               name="notification_once_per_event")]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread_idx")]

    def __str__(self):
        return f"{self.kind} → {self.recipient_id}"


class Preference(models.Model):
    """How a user wants one kind of notification on this site (the default: on the page and by e-mail)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+",
                             verbose_name=_("user"))
    kind = models.CharField(_("kind"), max_length=40, choices=Kind.choices)
    channel = models.CharField(_("how"), max_length=10, choices=Channel.choices, default=Channel.BOTH)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="notification_preference_unique")]
