"""Invoicing errors, each with a stable code."""

from portal.platform.core.errors import Conflict, DomainError, NotFound, PermissionDenied, ValidationFailed


class SessionInvalid(ValidationFailed):
    code = "session.invalid"


class SessionNotEditable(Conflict):
    code = "session.not_editable"


class SessionAlreadyDecided(Conflict):
    code = "session.already_decided"


class NotYourSession(PermissionDenied):
    code = "session.not_allowed"


class CsvInvalid(ValidationFailed):
    code = "session.csv_invalid"


class InvoiceInvalid(ValidationFailed):
    code = "invoice.invalid"


class InvoiceNotClean(ValidationFailed):
    code = "invoice.not_clean"


class InvoiceWrongStatus(Conflict):
    code = "invoice.wrong_status"


class NotFinanceOfficer(PermissionDenied):
    """Approving, rejecting and recording payment are the municipality's finance officer's to do."""

    code = "invoice.not_finance_officer"


class NothingToInvoice(ValidationFailed):
    code = "invoice.nothing_to_invoice"


class InvoiceNotFound(NotFound):
    code = "not_found"


__all__ = ["DomainError", "SessionInvalid", "SessionNotEditable", "SessionAlreadyDecided", "NotYourSession",
           "CsvInvalid", "InvoiceInvalid", "InvoiceNotClean", "InvoiceWrongStatus", "NotFinanceOfficer",
           "NothingToInvoice", "InvoiceNotFound"]
