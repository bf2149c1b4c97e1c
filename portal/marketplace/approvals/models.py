"""A municipality's own layer over the national catalogue (tenant schema):
which providers and services it approves for its people, and its price caps."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from portal.marketplace.catalogue.models import Unit


class ApprovalStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting decision")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")
    SUSPENDED = "suspended", _("Suspended")


class ProviderApproval(models.Model):
    """This municipality's decision on a provider (one row per provider)."""

    provider = models.OneToOneField("catalogue.Provider", verbose_name=_("provider"), on_delete=models.CASCADE,
                                    related_name="+")
    status = models.CharField(_("status"), max_length=12, choices=ApprovalStatus.choices,
                              default=ApprovalStatus.PENDING, db_index=True)
    note = models.CharField(_("reason or note"), max_length=500, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("decided by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("provider approval")
        verbose_name_plural = _("provider approvals")

    def __str__(self):
        return f"{self.provider_id}: {self.status}"


class ServiceApproval(models.Model):
    """This municipality's decision on one service (one row per service)."""

    service = models.OneToOneField("catalogue.Service", verbose_name=_("service"), on_delete=models.CASCADE,
                                   related_name="+")
    status = models.CharField(_("status"), max_length=12, choices=ApprovalStatus.choices,
                              default=ApprovalStatus.PENDING, db_index=True)
    note = models.CharField(_("reason or note"), max_length=500, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("decided by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("service approval")
        verbose_name_plural = _("service approvals")

    def __str__(self):
        return f"{self.service_id}: {self.status}"


class PriceCap(models.Model):
    """The most this municipality pays per unit of a service type."""

    class OverCapRule(models.TextChoices):
        REFUSE = "refuse", _("Not available above the cap")
        COPAY = "copay", _("Family pays the difference (co-payment)")

    service_type = models.ForeignKey("catalogue.ServiceType", verbose_name=_("service type"),
                                     on_delete=models.CASCADE, related_name="+")
    unit = models.CharField(_("unit"), max_length=10, choices=Unit.choices)
    amount = models.DecimalField(_("cap per unit (EUR)"), max_digits=10, decimal_places=2)
    over_cap_rule = models.CharField(_("above the cap"), max_length=10, choices=OverCapRule.choices,
                                     default=OverCapRule.COPAY)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("set by"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="+")
    modified_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        ordering = ["service_type__position", "unit"]
        verbose_name = _("price cap")
        verbose_name_plural = _("price caps")
        constraints = [
            models.UniqueConstraint(fields=["service_type", "unit"], name="approvals_pricecap_unique"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="approvals_pricecap_positive"),
        ]

    def __str__(self):
        return f"{self.service_type_id}/{self.unit}: {self.amount}"
