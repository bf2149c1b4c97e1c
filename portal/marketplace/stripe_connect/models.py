"""A provider's Stripe Connect account and the webhook inbox (both in the public schema)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ConnectAccount(models.Model):
    """A provider's connected account and its readiness as the newest applied ``account.updated`` said."""

    provider = models.OneToOneField("catalogue.Provider", on_delete=models.PROTECT, related_name="stripe_account",
                                    verbose_name=_("provider"))
    account_id = models.CharField(_("Stripe account"), max_length=64, unique=True)
    details_submitted = models.BooleanField(_("details submitted"), default=False)
    payouts_enabled = models.BooleanField(_("payouts enabled"), default=False)
    currently_due = models.JSONField(_("requirements due"), default=list, blank=True)
    # The applied event: an older one (created, then event id as the tie-break) changes nothing.
    state_created = models.BigIntegerField(default=0)
    state_event_id = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(_("connected"), auto_now_add=True)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        verbose_name = _("Stripe account")
        verbose_name_plural = _("Stripe accounts")

    def __str__(self) -> str:
        return self.account_id

    @property
    def is_ready(self) -> bool:
        return self.details_submitted and self.payouts_enabled and not self.currently_due


class WebhookEvent(models.Model):
    """The inbox: every Stripe event once, by its id; ``processed_at`` says its handler ran."""

    event_id = models.CharField(max_length=255, unique=True)
    type = models.CharField(max_length=100)
    created = models.BigIntegerField()
    schema_name = models.CharField(max_length=63, blank=True)  # the municipality it concerned, if any
    outcome = models.CharField(max_length=255, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("Stripe event")
        verbose_name_plural = _("Stripe events")
        indexes = [models.Index(fields=["type", "created"])]

    def __str__(self) -> str:
        return f"{self.type} {self.event_id}"
