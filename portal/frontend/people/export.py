"""The person's data as a download: JSON (machine-readable, portability) and a readable PDF (access)."""

from __future__ import annotations

import json

from django.apps import apps
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.utils.translation import gettext as _
from fpdf import FPDF

from portal.budgets.people import selectors
from portal.marketplace.invoicing.pdf import DEJAVU_DIR


def _label(label: str) -> str:
    try:
        return str(apps.get_model(label)._meta.verbose_name_plural).capitalize()
    except (LookupError, ValueError):
        return label


def export_response(person, fmt: str) -> HttpResponse:
    data = selectors.person_export(person)
    name = f"person-{person.pk}-data"
    if fmt == "pdf":
        response = HttpResponse(render_pdf(data), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
        return response
    response = HttpResponse(json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
                            content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.json"'
    return response


def render_pdf(data: dict) -> bytes:
    pdf = FPDF(format="A4")
    if (DEJAVU_DIR / "DejaVuSans.ttf").exists():
        pdf.add_font("DejaVu", "", str(DEJAVU_DIR / "DejaVuSans.ttf"))
        pdf.add_font("DejaVu", "B", str(DEJAVU_DIR / "DejaVuSans-Bold.ttf"))
        family = "DejaVu"
    else:  # pragma: no cover - the core font cannot show Latvian letters; keep the document readable
        family = "Helvetica"

    def text(value) -> str:
        value = str(value)
        return value if family == "DejaVu" else value.encode("latin-1", "replace").decode("latin-1")

    pdf.set_auto_page_break(True, margin=15)
    pdf.add_page()
    pdf.set_font(family, "B", 16)
    pdf.multi_cell(0, 9, text(_("Everything held about %(name)s") % {"name": data["person"]["name"]}),
                   new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(family, "", 9)
    pdf.multi_cell(0, 5, text(_("Produced on %(at)s.") % {"at": f"{data['generated_at']:%d.%m.%Y %H:%M}"}),
                   new_x="LMARGIN", new_y="NEXT")
    for label, rows in data["records"].items():
        if not rows:
            continue
        pdf.ln(3)
        pdf.set_font(family, "B", 12)
        pdf.multi_cell(0, 7, text(f"{_label(label)} ({len(rows)})"), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(family, "", 8)
        for row in rows:
            line = "; ".join(f"{key}: {value}" for key, value in row.items() if value not in ("", None, [], {}))
            pdf.multi_cell(0, 4, text(line[:3000]), new_x="LMARGIN", new_y="NEXT")
            pdf.ln(1)
    pdf.ln(3)
    pdf.set_font(family, "B", 12)
    pdf.multi_cell(0, 7, text(_("Who looked at the data")), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(family, "", 8)
    for row in data["who_looked"]:
        who = ", ".join(row["roles"]) + (f" — {row['organisation']}" if row["organisation"] else "")
        pdf.multi_cell(0, 4, text(f"{row['at']:%d.%m.%Y %H:%M}  {who}: {', '.join(row['what'])}"),
                       new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
