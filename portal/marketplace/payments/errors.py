"""Payment errors, each with a stable code."""

from portal.platform.core.errors import Conflict, DomainError, NotFound, PermissionDenied, ValidationFailed

__all__ = ["DomainError", "NotFound", "PermissionDenied", "PaymentWrongStatus", "NotFinanceOfficer",
           "BadIban", "NothingToBatch", "BatchWrongStatus", "DebtorMissing", "StatementInvalid",
           "FundingInvalid", "SepaInvalid", "SettingsInvalid", "ReversalInvalid", "ReversalRefused"]


class NotFinanceOfficer(PermissionDenied):
    code = "payment.not_finance_officer"


class PaymentWrongStatus(Conflict):
    code = "payment.wrong_status"


class BatchWrongStatus(Conflict):
    code = "payment_batch.wrong_status"


class NothingToBatch(ValidationFailed):
    code = "payment_batch.empty"


class BadIban(ValidationFailed):
    """A provider on the batch has no valid IBAN: the message names the invoice."""

    code = "payment_batch.bad_iban"


class DebtorMissing(ValidationFailed):
    code = "payment_batch.debtor_missing"


class SepaInvalid(ValidationFailed):
    code = "payment_batch.xsd_invalid"


class StatementInvalid(ValidationFailed):
    code = "statement.invalid"


class SettingsInvalid(ValidationFailed):
    code = "payment_settings.invalid"


class FundingInvalid(ValidationFailed):
    code = "funding.invalid"


class ReversalInvalid(ValidationFailed):
    code = "payment_reversal.invalid"


class ReversalRefused(Conflict):
    """The rail refused to take the money back (e.g. Stripe): nothing was written; it can be tried again."""

    code = "payment_reversal.refused"
