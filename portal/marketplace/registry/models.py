"""Public-schema records a provider needs across municipalities.

* ``InvoiceNumberCounter`` — one row per provider, locked with SELECT … FOR UPDATE
  while an invoice is numbered, so numbers are unique and gap-free per provider
  no matter which municipality the invoice is for.
* ``IssuedInvoiceNumber`` — every number handed out, with the invoice it went to.
* ``ProviderWorkItem`` — the provider's index of agreements, sessions and invoices
  in every municipality, kept current on commit by the tenant apps. It holds no
  personal data (no names, no personal codes): only references, statuses, dates
  and amounts; the details stay in the municipality's schema.

Provider ids are plain integers (no foreign key): the rows must outlive a
provider's catalogue entry, as accounting records do.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class InvoiceNumberCounter(models.Model):
    provider_id = models.BigIntegerField(_("provider"), unique=True)
    last_number = models.PositiveIntegerField(_("last number issued"), default=0)
    modified_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        verbose_name = _("invoice number counter")
        verbose_name_plural = _("invoice number counters")

    def __str__(self):
        return f"{self.provider_id}: {self.last_number}"


class IssuedInvoiceNumber(models.Model):
    provider_id = models.BigIntegerField(_("provider"))
    number = models.PositiveIntegerField(_("number"))
    municipality = models.ForeignKey("tenants.Municipality", on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("municipality"))
    invoice_id = models.BigIntegerField(_("invoice"))
    issued_at = models.DateTimeField(_("issued"), auto_now_add=True)

    class Meta:
        verbose_name = _("issued invoice number")
        verbose_name_plural = _("issued invoice numbers")
        constraints = [
            models.UniqueConstraint(fields=["provider_id", "number"], name="registry_number_unique_per_provider"),
            models.UniqueConstraint(fields=["municipality", "invoice_id"], name="registry_one_number_per_invoice"),
        ]

    def __str__(self):
        return f"{self.provider_id}/{self.number}"


class ProviderWorkItem(models.Model):
    class Kind(models.TextChoices):
        AGREEMENT = "agreement", _("Agreement")
        SESSION = "session", _("Session")
        INVOICE = "invoice", _("Invoice")
        PAYMENT = "payment", _("Payment")

    provider_id = models.BigIntegerField(_("provider"))
    municipality = models.ForeignKey("tenants.Municipality", on_delete=models.CASCADE, related_name="+",
                                     verbose_name=_("municipality"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    object_id = models.BigIntegerField(_("object id"))
    agreement_id = models.BigIntegerField(_("agreement"), null=True, blank=True)
    reference = models.CharField(_("reference"), max_length=60, blank=True)
    title = models.CharField(_("service"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=30)
    status_label = models.CharField(_("status"), max_length=100, blank=True)
    date = models.DateField(_("date"), null=True, blank=True)
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2, null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("provider work item")
        verbose_name_plural = _("provider work items")
        ordering = ["-date", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "kind", "object_id"], name="registry_item_unique"),
        ]
        indexes = [
            models.Index(fields=["provider_id", "-date", "-id"], name="registry_item_provider_all_idx"),
            models.Index(fields=["provider_id", "kind", "-date", "-id"], name="registry_item_provider_idx"),
            models.Index(fields=["provider_id", "municipality", "kind", "-date"], name="registry_item_prov_muni_idx"),
        ]

    def __str__(self):
        return f"{self.kind} {self.municipality_id}/{self.object_id}"
