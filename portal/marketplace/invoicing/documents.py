"""Build the PDF document of an invoice from the database (provider, municipality, lines)."""

from __future__ import annotations

from datetime import timedelta

from django.db import connection
from django.utils import timezone, translation

from portal.platform.core.formats import format_period

from .models import Invoice
from .pdf import InvoiceDocument, Party, PdfLine, render_invoice_pdf

UNIT_LV = {"hour": "st.", "session": "reize", "day": "diena", "course": "kurss"}
STATUS_NOTE = {
    Invoice.Status.DRAFT: "MELNRAKSTS — nav iesniegts",
    Invoice.Status.REJECTED: "NORAIDĪTS",
    Invoice.Status.PAID: "APMAKSĀTS",
}


def invoice_document(invoice: Invoice) -> InvoiceDocument:
    agreement = invoice.agreement
    provider = invoice.provider
    municipality = connection.tenant
    issued = timezone.localtime(invoice.submitted_at).date() if invoice.submitted_at else timezone.localdate()
    supplier = Party(name=provider.name, registration_number=provider.company_number or
                     provider.social_register_number, address=provider.address, iban=provider.iban,
                     vat_payer=provider.vat_payer, vat_number=provider.vat_number)
    buyer = Party(name=f"{municipality.name} — {municipality.social_service_name}".strip(" —"),
                  address=municipality.address, vat_payer=False)
    lines = [PdfLine(description=agreement.service.title_lv, date=line.session.date, units=line.units,
                     unit=UNIT_LV.get(agreement.unit, agreement.unit), unit_price=line.unit_price,
                     amount=line.amount)
             for line in invoice.lines.select_related("session").order_by("session__date", "id")]
    with translation.override("lv"):
        number = invoice.display_number
    return InvoiceDocument(
        number=number, issue_date=issued, due_date=issued + timedelta(days=30),
        period_start=invoice.period_start, period_end=invoice.period_end, supplier=supplier, buyer=buyer,
        recipient=agreement.person.full_name, agreement_reference=f"Nr. {agreement.pk}, "
        f"{format_period(agreement.period_start, agreement.period_end, language='lv')}", lines=lines, total=invoice.total, copayment=invoice.copayment,
        budget_total=invoice.budget_amount, status_note=STATUS_NOTE.get(invoice.status, ""))


def invoice_pdf_bytes(invoice: Invoice) -> bytes:
    return render_invoice_pdf(invoice_document(invoice))
