"""The invoice PDF's text never overprints (issue 15, "long provider text overprints the invoice PDF"): with every
party field and the service title at its model's length limit, no two glyphs of the rendered PDF overlap and
none leaves the page. Glyph boxes are read back from the PDF with pdfminer.six."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from pdfminer.high_level import extract_pages
from pdfminer.layout import LTChar, LTPage, LTTextContainer

from portal.marketplace.catalogue.models import Provider, Service
from portal.marketplace.invoicing.pdf import InvoiceDocument, Party, PdfLine, render_invoice_pdf
from portal.tenants.models import Municipality

TOLERANCE = 0.3  # points: neighbouring glyphs may touch


def _limit(model, field: str) -> int:
    return model._meta.get_field(field).max_length


def _text(words: str, length: int) -> str:
    """Realistic text (words, Latvian letters) exactly ``length`` characters long."""
    text = (words + " ") * (length // len(words) + 1)
    return text[:length].rstrip() + "x" * (length - len(text[:length].rstrip()))


def _document(*, name: str, address: str, title: str) -> InvoiceDocument:
    day = dt.date(2026, 11, 30)
    supplier = Party(name=name, registration_number="40003012345", address=address,
                     iban="LV80BANK0000435195001", vat_payer=True, vat_number="LV40003012345")
    buyer = Party(name=_text("Ķekavas novada pašvaldība — Sociālais dienests", _limit(Municipality, "name") + 3
                             + _limit(Municipality, "social_service_name")),
                  address=_text("Gaismas iela 19, Ķekava, Ķekavas pagasts", 250))
    lines = [PdfLine(description=title, date=day - dt.timedelta(days=i), units=Decimal("12.5"), unit="st.",
                     unit_price=Decimal("12345.67"), amount=Decimal("154320.88")) for i in range(30)]
    return InvoiceDocument(number="SBS-2026-000123", issue_date=day, due_date=day + dt.timedelta(days=30),
                           period_start=dt.date(2026, 11, 1), period_end=day,
                           supplier=supplier, buyer=buyer, recipient=_text("Anna-Marija Bērziņa-Ozoliņa", 201),
                           agreement_reference="Nr. 1000000001, 01.11.2026 – 31.10.2027", lines=lines,
                           total=Decimal("4629626.40"), copayment=Decimal("1234.56"),
                           budget_total=Decimal("4628391.84"), status_note="MELNRAKSTS — nav iesniegts")


def _glyphs(pdf: bytes) -> list[tuple[int, float, float, float, float, str]]:
    found = []

    def walk(item, page_no):
        if isinstance(item, LTChar):
            if item.get_text().strip():
                found.append((page_no, item.x0, item.y0, item.x1, item.y1, item.get_text()))
        elif isinstance(item, (LTTextContainer, LTPage)) or hasattr(item, "__iter__"):
            for child in item:
                walk(child, page_no)

    pages = list(extract_pages(io.BytesIO(pdf)))
    for number, page in enumerate(pages):
        walk(page, number)
    return found, pages


def _overlaps(glyphs) -> list[tuple]:
    """Pairs of glyphs on the same page whose boxes overlap by more than the tolerance both ways."""
    clashes = []
    ordered = sorted(glyphs, key=lambda g: (g[0], g[1]))
    for i, a in enumerate(ordered):
        for b in ordered[i + 1:]:
            if b[0] != a[0] or b[1] >= a[3] - TOLERANCE:
                break
            if min(a[4], b[4]) - max(a[2], b[2]) > TOLERANCE and min(a[3], b[3]) - max(a[1], b[1]) > TOLERANCE:
                clashes.append((a, b))
    return clashes


@pytest.mark.parametrize("kind", ["words", "one long word"])
def test_long_party_text_and_titles_wrap_without_overprinting(kind):
    name_length, address_length = _limit(Provider, "name"), _limit(Provider, "address")
    if kind == "words":
        name = _text("Biedrība Atbalsta un aprūpes centrs Saulgriežu Ēnas", name_length)
        address = _text("Zemgales prospekts 123 k-4, Jelgava, LV-3001", address_length)
    else:  # no space to break at: the text must still be broken inside the column
        name, address = "Ā" * name_length, "Ž" * address_length
    title = _text("Sociālās rehabilitācijas pakalpojums ģimenēm ar bērniem", _limit(Service, "title_lv"))
    glyphs, pages = _glyphs(render_invoice_pdf(_document(name=name, address=address, title=title)))
    assert len(glyphs) > 2000 and len(pages) >= 2  # the long table continued on a second page
    assert _overlaps(glyphs) == []
    for page_no, x0, y0, x1, y1, _char in glyphs:
        page = pages[page_no]
        assert 0 <= x0 and x1 <= page.width and 0 <= y0 and y1 <= page.height
    text = "".join(g[5] for g in glyphs)
    assert "Pakalpojumasaņēmējs:" in text.replace(" ", "")  # the recipient line is there, below both columns
