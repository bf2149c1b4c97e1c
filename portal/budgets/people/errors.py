"""Errors of the people area, with stable codes."""

from portal.platform.core.errors import Conflict, PermissionDenied, ValidationFailed


class InvalidPersonalCode(ValidationFailed):
    code = "person.invalid_personal_code"


class DuplicatePersonalCode(Conflict):
    code = "person.duplicate_personal_code"


class PersonInvalid(ValidationFailed):
    code = "person.invalid"


class NotEligible(ValidationFailed):
    """The person does not belong to the scheme's target groups (an adult with a group III disability)."""

    code = "person.not_eligible"


class RelationInvalid(ValidationFailed):
    code = "relation.invalid"


class ConsentInvalid(ValidationFailed):
    code = "consent.invalid"


class AssessmentInvalid(ValidationFailed):
    code = "assessment.invalid"


class DocumentRejected(ValidationFailed):
    code = "assessment.document_rejected"


class PlanInvalid(ValidationFailed):
    code = "plan.invalid"


class PlanNotEditable(Conflict):
    code = "plan.not_editable"


class PlanStateConflict(Conflict):
    code = "plan.state_conflict"


class NotAllowed(PermissionDenied):
    code = "people.not_allowed"
