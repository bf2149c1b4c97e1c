"""How an invoice and an agreement are referred to on every page, PDF, e-mail, notification and in the API:
an invoice by its number "SBS-1-00015" (never its database id), a draft by its month, an agreement "Nr. 12"."""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext as _


def invoice_reference(*, provider_id: int, number: int | None, period_start: date | None) -> str:
    if number:
        return f"SBS-{provider_id}-{number:05d}"
    return draft_reference(period_start)


def draft_reference(period_start: date | None) -> str:
    """A draft has no number until it is submitted: "melnrakstā, 10.2026" / "draft for 10.2026"."""
    return _("draft for %(month)s") % {"month": f"{period_start:%m.%Y}" if period_start else "—"}


def agreement_reference(agreement_id: int) -> str:
    return _("Agreement No. %(n)s") % {"n": agreement_id}
