"""CSV upload of sessions from a provider's own system: parse into rows for ``sessions_bulk_record``.

The parser never stops at the first problem: every line's problems are collected (line number, column,
message) so the provider fixes the whole file in one go. Only a file that cannot be read at all (too large,
not UTF-8, no header) is refused as a whole.
"""

from __future__ import annotations

import csv
import io
from datetime import date, time

from django.utils.translation import gettext as _

from .errors import CsvInvalid, CsvRowsInvalid, RowError
from .sessions import sessions_rows_record

COLUMNS = ["date", "start", "duration_minutes", "units", "staff", "note", "goal_progress", "external_id"]
REQUIRED = {"date", "units", "staff"}
MAX_BYTES = 1_000_000
# The service's names for the row's fields, as the file's columns call them.
COLUMN_OF_FIELD = {"start_time": "start", "staff_name": "staff"}


def describe_line(error: RowError) -> str:
    """``Line 3, units: Enter a number.`` (the header is line 1)."""
    column = COLUMN_OF_FIELD.get(error.field, error.field)
    if not column:
        return _("Line %(line)s: %(message)s") % {"line": error.row, "message": error.message}
    return _("Line %(line)s, %(column)s: %(message)s") % {"line": error.row, "column": column,
                                                         "message": error.message}


def _problem(line_no: int, column: str, message: str) -> RowError:
    return RowError(row=line_no, field=column, message=message, code=CsvInvalid.code)


def _records(reader):
    """(line number where the record starts, cells or None when the line cannot be read)."""
    while True:
        start = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error:
            yield start, None
            continue
        yield start, cells


def read_sessions_csv(data: bytes) -> tuple[list[tuple[int, dict]], list[RowError]]:
    """The file's sessions as ``(line number, keyword arguments for session_record)`` and every line's
    problems. CsvInvalid refuses a file that cannot be read at all."""
    if len(data) > MAX_BYTES:
        raise CsvInvalid(_("The file is too large (at most 1 MB)."), field="file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CsvInvalid(_("Save the file as UTF-8 text."), field="file") from None
    sample = text[:2000]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    records = _records(reader)
    first = next(records, (1, None))[1]
    header = [(name or "").strip().lower() for name in (first or [])]
    missing = REQUIRED - set(header)
    if missing or any("\x00" in name for name in header):
        raise CsvInvalid(_("The first line must name the columns; missing: %(cols)s.")
                         % {"cols": ", ".join(sorted(missing or REQUIRED))}, field="file")
    rows, problems = [], []
    for line_no, cells in records:
        if cells is None:
            problems.append(_problem(line_no, "", _("This line cannot be read as CSV.")))
            continue
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) > len(header):
            problems.append(_problem(line_no, "", _("This line has more cells than the first line has columns.")))
            continue
        row = {name: cell.strip() for name, cell in zip(header, cells)}
        bad = [name for name in header if "\x00" in row.get(name, "")]
        if bad:
            problems.extend(_problem(line_no, name, _("The cell contains a character that is not allowed."))
                            for name in bad)
            continue
        line_problems = []
        when = start = None
        try:
            when = date.fromisoformat(row.get("date", ""))
        except ValueError:
            line_problems.append(_problem(line_no, "date", _("The date must be YYYY-MM-DD.")))
        if row.get("start"):
            try:
                start = time.fromisoformat(row["start"])
            except ValueError:
                line_problems.append(_problem(line_no, "start", _("The start must be HH:MM.")))
        if line_problems:
            problems.extend(line_problems)
            continue
        rows.append((line_no, {
            "date": when, "start_time": start, "duration_minutes": row.get("duration_minutes") or None,
            "units": row.get("units", ""), "staff_name": row.get("staff", ""), "note": row.get("note", ""),
            "goal_progress": row.get("goal_progress", ""), "external_id": row.get("external_id", "")}))
    if not rows and not problems:
        raise CsvInvalid(_("The file has no sessions."), field="file")
    return rows, problems


def parse_sessions_csv(data: bytes) -> list[dict]:
    """Rows as keyword arguments for ``session_record``; CsvRowsInvalid names every bad line."""
    rows, problems = read_sessions_csv(data)
    if problems:
        raise CsvRowsInvalid(problems, describe=describe_line)
    return [row for _line, row in rows]


def sessions_csv_record(*, agreement, data: bytes, actor) -> list:
    """Record a CSV file's sessions all or nothing; CsvRowsInvalid lists every problem of every line."""
    rows, problems = read_sessions_csv(data)
    return sessions_rows_record(agreement=agreement, rows=rows, actor=actor, problems=problems,
                                describe=describe_line, refusal=CsvRowsInvalid)
