"""Refusals of the catalogue, with stable codes."""

from portal.platform.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed


class CatalogueInvalid(ValidationFailed):
    """A field of a profile, location or service is not acceptable (``field`` names it)."""

    code = "catalogue.invalid"


class ProviderNotFound(NotFound):
    code = "catalogue.provider_not_found"


class ServiceNotFound(NotFound):
    code = "catalogue.service_not_found"


class NotProviderStaff(PermissionDenied):
    code = "catalogue.not_provider_staff"


class AlreadyRegistered(Conflict):
    code = "catalogue.already_registered"


class StaffConflict(Conflict):
    code = "catalogue.staff_conflict"
