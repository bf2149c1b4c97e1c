"""Helpers shared by the people services: the writer check and audit rows about a person."""

from __future__ import annotations

from django.utils.translation import gettext as _

from portal.platform.core.models import AuditEvent, audit

from . import access
from .errors import NotAllowed
from .models import Person


def require_writer(actor) -> None:
    if not access.may_write(actor):
        raise NotAllowed(_("Only a social worker of this municipality may change this."))


def require_consent(person: Person, kind: str, message: str) -> None:
    """Refuse (403 ``consent.withdrawn``) the processing a consent covers when the person's latest consent of
    ``kind`` is withdrawn. No consent recorded at all is not a refusal: the processing then rests on the law
    (art. 6(1)(e), 9(2)(h)); a withdrawal is the person's objection, and it is honoured."""
    if access.withdrawn_consents(kind).filter(person_id=person.pk).exists():
        raise NotAllowed(message, code="consent.withdrawn")


def audit_person(*, actor, action: str, person: Person, message: str, params: dict | None = None, obj=None,
                 changes: dict | None = None, request=None) -> AuditEvent:
    """One audit row about ``person``'s data; the summary names the person so the administrator can
    search by name (the ``about_person`` messages of platform/core/audit_messages.py)."""
    target = obj if obj is not None else person
    return audit(actor=actor, action=action, obj=target, message=message,
                 params={**(params or {}), "person": person.full_name, "person_id": person.pk}, changes=changes,
                 request=request)


def person_viewed(*, person: Person, actor, message: str, params: dict | None = None, request=None) -> AuditEvent:
    """Record that ``actor`` read the person's data (``message``: what of it)."""
    return audit_person(actor=actor, action=AuditEvent.Action.VIEW, person=person, message=message, params=params,
                        request=request)


