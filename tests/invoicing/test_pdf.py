"""The invoice PDF carries the Latvian requisites and the diacritics survive."""

from datetime import date
from decimal import Decimal as D

from portal.marketplace.invoicing.pdf import SUPPLIER, InvoiceDocument, Party, PdfLine, heading_lines, render_invoice_pdf


def test_pdf_has_the_requisites():
    doc = InvoiceDocument(
        number="SBS-1-00001", issue_date=date(2026, 10, 31), due_date=date(2026, 11, 30),
        period_start=date(2026, 10, 1), period_end=date(2026, 10, 31),
        supplier=Party("Biedrība “Saulīte”", "40008000001", "Rīga, Ābeļu iela 1", "LV80BANK0000435195001", True,
                       "LV40008000001"),
        buyer=Party("Jelgavas valstspilsēta — sociālo lietu pārvalde", "90000000001", "Jelgava"),
        recipient="Andris Liepiņš", agreement_reference="Nr. 7",
        lines=[PdfLine("Atelpas brīža pakalpojums", date(2026, 10, 5), D("2"), "st.", D("10.00"), D("20.00"))],
        total=D("20.00"), budget_total=D("20.00"))
    data = render_invoice_pdf(doc)
    assert data.startswith(b"%PDF")
    assert len(data) > 2000
    assert "Periods: no 2026. gada 1. oktobra līdz 2026. gada 31. oktobrim" in heading_lines(doc)
    assert SUPPLIER == "Pakalpojumu sniedzējs"
