"""The payments area's answer to invoicing's approval: the invoice's payment, in the approval's transaction.

Invoicing sits below payments and must not import it, so ``invoice_approve`` sends
``invoicing.signals.invoice_approved`` and this receiver creates the payment (and its outbox event) while the
approval's transaction is still open: both commit together or neither does.
"""

from portal.marketplace.invoicing.models import Invoice
from portal.marketplace.invoicing.signals import invoice_approved

from .services import payment_request


def _invoice_approved(sender, invoice, actor=None, **kwargs):
    payment_request(invoice=invoice, actor=actor)


def connect():
    invoice_approved.connect(_invoice_approved, sender=Invoice, dispatch_uid="payments_invoice_approved")
