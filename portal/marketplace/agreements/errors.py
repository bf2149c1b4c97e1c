"""Why an agreement operation was refused. Stable codes: the API returns them, forms show the message."""

from portal.platform.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed


class AgreementInvalid(ValidationFailed):
    code = "agreement.invalid"


class NotAllowed(PermissionDenied):
    code = "agreement.not_allowed"


class AgreementNotFound(NotFound):
    code = "not_found"


class WrongState(Conflict):
    """The agreement is not in a status where this step is possible (someone else moved it first)."""

    code = "agreement.wrong_state"


class DeadlinePassed(Conflict):
    code = "agreement.expired"


class OverCap(ValidationFailed):
    """The price is above the municipality's cap and the municipality refuses the difference."""

    code = "agreement.over_cap"


class CopaymentNotAccepted(ValidationFailed):
    code = "agreement.copayment_not_accepted"


class ExceedsBudget(ValidationFailed):
    """The agreement costs more than is available in the budget category now."""

    code = "agreement.exceeds_budget"


class NoBudget(ValidationFailed):
    code = "agreement.no_budget_category"


class ServiceNotAvailable(ValidationFailed):
    code = "agreement.service_not_available"


class RespiteDaysExceeded(ValidationFailed):
    """The respite-care days booked for the person in a calendar year would pass the municipality's limit."""

    code = "agreement.respite_days_exceeded"


class PeriodTooLong(ValidationFailed):
    """The agreement runs longer than its kind of service may (a support person: 24 months)."""

    code = "agreement.period_too_long"
