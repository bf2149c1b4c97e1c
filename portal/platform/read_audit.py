"""Every read of personal data lands in the municipality's audit log — written here, in one place.

``PersonalReadAuditMiddleware`` notices, while a GET is answered, every registered personal object loaded
from the database (``portal/platform/core/reads.py``) and, when the answer is a success, writes one audit
row per municipality schema whose data was read: who (user, roles, organisation), when, which address, what
kinds of records and how many, and the ids of the persons they belong to (``changes["persons"]``, which the
person's own "who looked at my data" page filters on). A list page is one row naming all its persons, not
one row per person. A provider reading agreements and sessions on the national site writes into each
municipality whose records it read. A person (or nobody) reading only their own data writes nothing.
"""

from __future__ import annotations

from contextlib import nullcontext

from django.db import connection
from django_tenants.utils import schema_context

from portal.marketplace.catalogue.models import ProviderStaff
from portal.platform.core import reads
from portal.platform.core.models import AuditEvent, audit
from portal.tenants.access import roles_for
from portal.tenants.models import Municipality
from portal.tenants.roles import NATIONAL_ROLES, Role

AUDITED_METHODS = ("GET", "HEAD")
PERSON_LIMIT = 200  # ids kept in one row; the count is always whole


class PersonalReadAuditMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in AUDITED_METHODS:
            return self.get_response(request)
        token = reads.start()
        try:
            response = self.get_response(request)
        finally:
            noticed = reads.stop(token)
        if noticed and response.status_code < 400:
            record_reads(request, noticed)
        return response


def _who(request, user, schema: str) -> dict:
    """The reader's roles and organisation, in the words the person's page shows."""
    if not getattr(user, "is_authenticated", False):
        return {"roles": [], "organisation": ""}
    municipality = getattr(request, "tenant", None)
    if getattr(municipality, "schema_name", None) != schema:
        municipality = Municipality.objects.filter(schema_name=schema).first()
    held = set(roles_for(user, municipality)) | set(roles_for(user, None) & NATIONAL_ROLES)
    organisation = municipality.name if municipality is not None and held - NATIONAL_ROLES else ""
    if Role.PROVIDER_STAFF in held and not organisation:
        with schema_context("public"):
            organisation = ", ".join(ProviderStaff.objects.filter(user=user).order_by("provider__name")
                                     .values_list("provider__name", flat=True))
    return {"roles": sorted(held), "organisation": organisation}


def record_reads(request, noticed: dict) -> None:
    user = getattr(request, "user", None)
    for schema, schema_reads in noticed.items():
        if schema == "public" or not schema_reads.objects:
            continue
        # Already there (a municipality's own page): no schema switch, which would cost a second SET search_path.
        with nullcontext() if connection.schema_name == schema else schema_context(schema):
            persons = reads.persons_read(schema_reads)
            own = schema_reads.person_users
            if getattr(user, "is_authenticated", False) and persons and all(
                    own.get(pk) == user.pk for pk in persons):
                continue  # the person reading their own data
            counts = {label: len(ids) for label, ids in sorted(schema_reads.objects.items())}
            listed = sorted(persons)
            audit(actor=user, action=AuditEvent.Action.VIEW, object_type="people.person",
                  object_id=str(listed[0]) if len(listed) == 1 else "",
                  message="person.read", params={"path": request.path[:200], "objects": counts, "n": len(listed)},
                  changes={"persons": listed[:PERSON_LIMIT], "person_count": len(listed), "read": counts,
                           "path": request.path[:200], **_who(request, user, schema)},
                  request=request)
