"""Invoicing errors, each with a stable code."""

from dataclasses import dataclass

from django.utils.translation import ngettext

from portal.platform.core.errors import Conflict, DomainError, NotFound, PermissionDenied, ValidationFailed


class SessionInvalid(ValidationFailed):
    code = "session.invalid"


class SessionOutsidePeriod(SessionInvalid):
    """The session's date is before the agreement's start or after its end."""

    code = "session.outside_period"


class SessionDuplicate(SessionInvalid):
    """The same agreement already has a session on that date at that start time (or the batch repeats one)."""

    code = "session.duplicate"


@dataclass(frozen=True)
class RowError:
    """One problem of one row of a batch (bulk entry, API) or one line of a CSV file."""

    row: int
    field: str
    message: str
    code: str

    def as_dict(self) -> dict:
        return {"row": self.row, "field": self.field, "code": self.code, "detail": str(self.message)}


class RowErrors:
    """A batch refused as a whole, naming every problem of every row; nothing was written.

    ``code`` is the first problem's code, so a batch with one bad row answers with the same code as the single
    entry would; ``errors`` lists them all.
    """

    def __init__(self, row_errors: list[RowError], *, describe):
        self.row_errors = list(row_errors)
        self.lines = [describe(error) for error in self.row_errors]
        message = self.lines[0]
        if len(self.lines) > 1:
            message = f"{message} " + ngettext("And %(n)s more problem.", "And %(n)s more problems.",
                                               len(self.lines) - 1) % {"n": len(self.lines) - 1}
        super().__init__(message, code=self.row_errors[0].code, field=self.row_errors[0].field or None)

    def as_dict(self) -> dict:
        data = super().as_dict()
        data["errors"] = [error.as_dict() for error in self.row_errors]
        return data


class SessionRowsInvalid(RowErrors, SessionInvalid):
    pass


class SessionNotEditable(Conflict):
    code = "session.not_editable"


class SessionAlreadyDecided(Conflict):
    code = "session.already_decided"


class NotYourSession(PermissionDenied):
    code = "session.not_allowed"


class CsvInvalid(ValidationFailed):
    code = "session.csv_invalid"


class CsvRowsInvalid(RowErrors, CsvInvalid):
    pass


class InvoiceInvalid(ValidationFailed):
    code = "invoice.invalid"


class InvoiceNotClean(ValidationFailed):
    code = "invoice.not_clean"


class InvoiceWrongStatus(Conflict):
    code = "invoice.wrong_status"


class NotFinanceOfficer(PermissionDenied):
    """Approving, rejecting and recording payment are the municipality's finance officer's to do."""

    code = "invoice.not_finance_officer"


class SecondApproverNeeded(PermissionDenied):
    """Four eyes: above the municipality's amount, the finance officer who approved first cannot complete it."""

    code = "invoice.second_approver_needed"


class OwnProvider(PermissionDenied):
    """Separation of duties: no one approves or rejects an invoice of a provider they work for."""

    code = "invoice.own_provider"


class NothingToInvoice(ValidationFailed):
    code = "invoice.nothing_to_invoice"


class InvoiceNotFound(NotFound):
    code = "not_found"


__all__ = ["DomainError", "SessionInvalid", "SessionOutsidePeriod", "SessionDuplicate", "RowError",
           "SessionRowsInvalid", "CsvRowsInvalid", "SessionNotEditable", "SessionAlreadyDecided", "NotYourSession",
           "CsvInvalid", "InvoiceInvalid", "InvoiceNotClean", "InvoiceWrongStatus", "NotFinanceOfficer",
           "NothingToInvoice", "InvoiceNotFound"]
