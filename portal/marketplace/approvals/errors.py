"""Refusals of a municipality's approvals and price caps, with stable codes."""

from portal.platform.core.errors import Conflict, PermissionDenied, ValidationFailed


class ApprovalInvalid(ValidationFailed):
    code = "approvals.invalid"


class NotMunicipalityAdmin(PermissionDenied):
    code = "approvals.not_municipality_admin"


class ProviderNotApproved(Conflict):
    """A service cannot be approved while its provider is not."""

    code = "approvals.provider_not_approved"


class ProviderNotVerified(Conflict):
    code = "approvals.provider_not_verified"
