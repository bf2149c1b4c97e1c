"""The invoice as a PDF with the requisites a Latvian invoice needs.

Always in Latvian (the accounting document), with a TTF font that has the
Latvian diacritics: Debian's DejaVu when installed, otherwise a transliterated
core font so the PDF is still produced.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

from fpdf import FPDF

from portal.platform.core.formats import format_number, format_period
from portal.platform.core.money import format_eur

SUPPLIER = "Pakalpojumu sniedzējs"  # the provider's side of the invoice, the term used throughout the portal
DEJAVU_DIR = Path("/usr/share/fonts/truetype/dejavu")


@dataclass(frozen=True)
class Party:
    name: str
    registration_number: str = ""
    address: str = ""
    iban: str = ""
    vat_payer: bool = False
    vat_number: str = ""


@dataclass(frozen=True)
class PdfLine:
    description: str
    date: date
    units: Decimal
    unit: str
    unit_price: Decimal
    amount: Decimal


@dataclass(frozen=True)
class InvoiceDocument:
    number: str
    issue_date: date
    due_date: date | None
    period_start: date
    period_end: date
    supplier: Party
    buyer: Party
    recipient: str  # who received the services
    agreement_reference: str
    lines: list[PdfLine] = field(default_factory=list)
    total: Decimal = Decimal("0.00")
    copayment: Decimal = Decimal("0.00")
    budget_total: Decimal = Decimal("0.00")
    status_note: str = ""


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


class _Pdf(FPDF):
    def __init__(self):
        super().__init__(format="A4")
        self.unicode = (DEJAVU_DIR / "DejaVuSans.ttf").exists()
        if self.unicode:
            self.add_font("DejaVu", "", str(DEJAVU_DIR / "DejaVuSans.ttf"))
            self.add_font("DejaVu", "B", str(DEJAVU_DIR / "DejaVuSans-Bold.ttf"))
            self.family = "DejaVu"
        else:
            self.family = "Helvetica"
        self.set_auto_page_break(True, margin=15)

    def t(self, text) -> str:
        text = str(text)
        return text if self.unicode else _ascii(text)

    def use(self, size=10, bold=False):
        self.set_font(self.family, "B" if bold else "", size)


def _party_lines(party: Party) -> list[str]:
    lines = [party.name]
    if party.registration_number:
        lines.append(f"Reģ. Nr. {party.registration_number}")
    if party.address:
        lines.append(f"Adrese: {party.address}")
    if party.vat_payer:
        lines.append(f"PVN maksātāja Nr. {party.vat_number}" if party.vat_number else "PVN maksātājs")
    else:
        lines.append("Nav PVN maksātājs")
    if party.iban:
        lines.append(f"Konts: {party.iban}")
    return lines


def _fmt(amount: Decimal) -> str:
    return format_eur(amount, "lv")


def _units(value: Decimal) -> str:
    return format_number(value, language="lv")


def heading_lines(doc: InvoiceDocument) -> list[str]:
    """The lines under the title: dates, the period in words ("no 2026. gada 1. oktobra līdz …"), the agreement."""
    lines = [f"Datums: {doc.issue_date:%d.%m.%Y}"]
    if doc.due_date:
        lines.append(f"Apmaksas termiņš: {doc.due_date:%d.%m.%Y}")
    lines += [f"Periods: {format_period(doc.period_start, doc.period_end, language='lv')}",
              f"Vienošanās: {doc.agreement_reference}"]
    return lines


def render_invoice_pdf(doc: InvoiceDocument) -> bytes:
    pdf = _Pdf()
    pdf.set_title(f"Rēķins {doc.number}")
    pdf.set_creator("SBS portāls")
    pdf.add_page()
    pdf.use(16, bold=True)
    pdf.cell(0, 10, pdf.t(f"Rēķins Nr. {doc.number}"), new_x="LMARGIN", new_y="NEXT")
    pdf.use(10)
    for text in heading_lines(doc):
        pdf.cell(0, 6, pdf.t(text), new_x="LMARGIN", new_y="NEXT")
    if doc.status_note:
        pdf.cell(0, 6, pdf.t(doc.status_note), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    top = pdf.get_y()
    column = (pdf.w - pdf.l_margin - pdf.r_margin) / 2
    bottoms = [top + 45]
    for index, (title, party) in enumerate(((SUPPLIER, doc.supplier), ("Maksātājs", doc.buyer))):
        pdf.set_xy(pdf.l_margin + index * column, top)
        pdf.use(10, bold=True)
        pdf.cell(column, 6, pdf.t(title), new_x="LEFT", new_y="NEXT")
        pdf.use(9)
        for text in _party_lines(party):
            pdf.multi_cell(column - 4, 5, pdf.t(text), new_x="LEFT", new_y="NEXT")
        bottoms.append(pdf.get_y())
    # Below the longer of the two columns: a long provider name or address wraps, never overprints.
    pdf.set_xy(pdf.l_margin, max(bottoms))
    pdf.use(9)
    pdf.multi_cell(0, 5, pdf.t(f"Pakalpojuma saņēmējs: {doc.recipient}"), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    # A table whose cells wrap (a long service title takes more lines, never the next column) and whose
    # heading repeats on a new page.
    widths = (62, 22, 17, 15, 32, 32)
    pdf.use(9)
    with pdf.table(col_widths=widths, width=sum(widths), align="LEFT", line_height=5, padding=1,
                   text_align=("LEFT", "LEFT", "RIGHT", "LEFT", "RIGHT", "RIGHT")) as table:
        heading = table.row()
        for header in ("Pakalpojums", "Datums", "Daudz.", "Vien.", "Cena", "Summa"):
            heading.cell(pdf.t(header))
        for line in doc.lines:
            row = table.row()
            for text in (line.description, f"{line.date:%d.%m.%Y}", _units(line.units), line.unit,
                         _fmt(line.unit_price), _fmt(line.amount)):
                row.cell(pdf.t(text))
    pdf.ln(2)
    label, amount = sum(widths) - 45, 45
    pdf.use(10, bold=True)
    pdf.cell(label, 7, pdf.t("Kopā:"), align="R")
    pdf.cell(amount, 7, pdf.t(_fmt(doc.total)), align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.use(9)
    if doc.copayment:
        pdf.cell(label, 6, pdf.t("Līdzmaksājums (maksā persona):"), align="R")
        pdf.cell(amount, 6, pdf.t(_fmt(doc.copayment)), align="R", new_x="LMARGIN", new_y="NEXT")
        pdf.cell(label, 6, pdf.t("Apmaksā no individuālā budžeta:"), align="R")
        pdf.cell(amount, 6, pdf.t(_fmt(doc.budget_total)), align="R", new_x="LMARGIN", new_y="NEXT")
    vat = ("PVN: pakalpojums ir sociālais pakalpojums, kas atbrīvots no PVN." if doc.supplier.vat_payer
           else "PVN netiek piemērots: pakalpojuma sniedzējs nav PVN maksātājs.")
    pdf.ln(2)
    pdf.multi_cell(0, 5, pdf.t(vat), new_x="LMARGIN", new_y="NEXT")
    pdf.multi_cell(0, 5, pdf.t("Rēķins sagatavots elektroniski un ir derīgs bez paraksta."),
                   new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
