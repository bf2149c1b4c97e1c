"""CSV and XLSX of a statistics table: exactly the figures the page shows ("<5" and "x" included)."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from openpyxl import Workbook

from .selectors import Table


def _header(table: Table) -> list[str]:
    return [f"{c.label} ({c.unit})" if c.unit else c.label for c in table.columns]


def _plain(value):
    if value is None:
        return ""
    return str(value) if isinstance(value, Decimal) else value


def table_csv(table: Table) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(_header(table))
    writer.writerows([[_plain(v) for v in row] for row in table.rows])
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # BOM: spreadsheet programs then read UTF-8


def table_xlsx(table: Table) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = table.name[:31]
    sheet.append(_header(table))
    for row in table.rows:
        sheet.append([float(v) if isinstance(v, Decimal) else ("" if v is None else v) for v in row])
    if table.summary:
        sheet.append([])
        sheet.append([table.summary])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
