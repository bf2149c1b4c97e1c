"""CSV upload of sessions from a provider's own system: parse into rows for ``sessions_bulk_record``."""

from __future__ import annotations

import csv
import io
from datetime import date, time

from django.utils.translation import gettext as _

from .errors import CsvInvalid

COLUMNS = ["date", "start", "duration_minutes", "units", "staff", "note", "goal_progress", "external_id"]
REQUIRED = {"date", "units", "staff"}
MAX_BYTES = 1_000_000


def parse_sessions_csv(data: bytes) -> list[dict]:
    """Rows as keyword arguments for ``session_record``; CsvInvalid names the first bad line."""
    if len(data) > MAX_BYTES:
        raise CsvInvalid(_("The file is too large (at most 1 MB)."), field="file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CsvInvalid(_("Save the file as UTF-8 text."), field="file") from None
    sample = text[:2000]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    header = {(name or "").strip().lower() for name in (reader.fieldnames or [])}
    missing = REQUIRED - header
    if missing:
        raise CsvInvalid(_("The first line must name the columns; missing: %(cols)s.")
                         % {"cols": ", ".join(sorted(missing))}, field="file")
    rows = []
    for line_no, raw in enumerate(reader, start=2):
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items()}
        if not any(row.values()):
            continue
        try:
            when = date.fromisoformat(row["date"])
        except ValueError:
            raise CsvInvalid(_("Line %(line)s: the date must be YYYY-MM-DD.") % {"line": line_no},
                             field="file") from None
        start = None
        if row.get("start"):
            try:
                start = time.fromisoformat(row["start"])
            except ValueError:
                raise CsvInvalid(_("Line %(line)s: the start must be HH:MM.") % {"line": line_no},
                                 field="file") from None
        rows.append({"date": when, "start_time": start, "duration_minutes": row.get("duration_minutes") or None,
                     "units": row["units"], "staff_name": row["staff"], "note": row.get("note", ""),
                     "goal_progress": row.get("goal_progress", ""), "external_id": row.get("external_id", "")})
    if not rows:
        raise CsvInvalid(_("The file has no sessions."), field="file")
    return rows
