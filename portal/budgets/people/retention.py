"""Retention and erasure (GDPR art. 5(1)(e), 17): the terms of docs/subsystems/privacy.md, applied.

``person_erase`` (on request) removes what the law does not require to keep — contact details and the address —
and says what stays and until when. ``persons_anonymise_expired`` (scheduled daily per municipality) anonymises
the persons whose file has expired: ten years after the end of their last support plan, with the free text of
their file. ``retention_run`` is the daily job: that, the free text of other areas' expired records
(``core.retention``: agreements, sessions, messages) and the expired audit rows.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Max, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.platform.core.models import AuditEvent, audit
from portal.platform.core.retention import (ACCOUNTING_YEARS, REMOVED, audit_expire, free_text_anonymise_expired,
                                            years_after)

from . import access
from .errors import NotAllowed
from .models import Assessment, AssessmentDocument, Consent, ErasureRequest, Goal, Person, Relation, SupportPlan

FILE_YEARS = 10  # the social services file: person, assessments, plans
ERASABLE_FIELDS = {"address": "", "latitude": None, "longitude": None, "phone": "", "email": ""}


_years_after = years_after


def file_end(person: Person) -> dt.date:
    """The end of the relationship: the end of the last plan (or the day the person was registered)."""
    last = person.plans.aggregate(end=Max("period_end"))["end"]
    return last or timezone.localdate(person.created_at)


def what_stays(person: Person) -> list[dict]:
    """What is kept after an erasure request, why and until when."""
    end = file_end(person)
    year_end = dt.date(end.year, 12, 31)
    return [
        {"what": _("Identity, needs assessments and support plans"), "why": _("the municipality's social services file"),
         "until": _years_after(end, FILE_YEARS)},
        {"what": _("Budgets, spending, agreements, sessions and invoices"), "why": _("accounting documents"),
         "until": _years_after(year_end, ACCOUNTING_YEARS)},
    ]


def erasable_labels() -> list[str]:
    """What an erasure removes now, in words (the page and the answer say the same)."""
    return [_("phone number"), _("e-mail address"), _("home address and its location on the map")]


@transaction.atomic
def erasure_request(*, person: Person, actor, request=None) -> ErasureRequest:
    """The person, or their legal representative, asks for erasure; a social worker carries it out. Asking
    again while a request is open returns the open one (nothing new is written)."""
    if access.acting_capacity(actor, person) not in (access.SELF, access.LEGAL_REPRESENTATIVE):
        raise NotAllowed(_("Only the person or their legal representative may ask for this."),
                         code="erasure.not_allowed")
    person = Person.objects.select_for_update().get(pk=person.pk)
    open_request = person.erasure_requests.filter(done_at__isnull=True).first()
    if open_request is not None:
        return open_request
    erasure = ErasureRequest.objects.create(person=person, requested_by=actor)
    audit(actor=actor, action=AuditEvent.Action.CREATE, obj=erasure, request=request,
          message="person.erasure_requested", params={"person_id": person.pk}, changes={"person": person.pk})
    return erasure


def erasure_requests_open() -> QuerySet[ErasureRequest]:
    """Requests waiting for a social worker, oldest first."""
    return (ErasureRequest.objects.filter(done_at__isnull=True).select_related("person")
            .order_by("requested_at", "pk"))


@transaction.atomic
def person_erase(*, person: Person, actor, request=None) -> list[dict]:
    """Erasure on request: contact details and address are removed now; returns what stays and until when. An
    open request of the person is marked carried out, with that answer."""
    if not access.may_write(actor):
        raise NotAllowed(_("Only a social worker of this municipality may change this."))
    person = Person.objects.select_for_update().get(pk=person.pk)
    changed = [name for name, empty in ERASABLE_FIELDS.items() if getattr(person, name) not in ("", None)]
    for name, empty in ERASABLE_FIELDS.items():
        setattr(person, name, empty)
    person.save(update_fields=list(ERASABLE_FIELDS))
    stays = what_stays(person)
    kept = [{"what": str(s["what"]), "why": str(s["why"]), "until": s["until"].isoformat()} for s in stays]
    closed = person.erasure_requests.filter(done_at__isnull=True).update(done_at=timezone.now(), done_by=actor,
                                                                         kept=kept)
    audit(actor=actor, action=AuditEvent.Action.UPDATE, obj=person, request=request,
          message="person.erased", params={"person_id": person.pk},
          changes={"erased": changed, "requests_closed": closed,
                                                               "kept_until": {s["what"]: str(s["until"]) for s in stays}})
    return stays


@transaction.atomic
def person_anonymise(*, person: Person, actor=None) -> Person:
    """Replace everything that identifies the person; amounts, dates and links stay so the ledger adds up."""
    person = Person.objects.select_for_update().get(pk=person.pk)
    person.first_name, person.last_name = _("Anonymised"), f"#{person.pk}"
    person.personal_code = f"X{person.pk:011d}"[-12:]
    person.disability_decision_number = ""
    for name, empty in ERASABLE_FIELDS.items():
        setattr(person, name, empty)
    person.user = None
    person.anonymised_at = timezone.now()
    person.save()
    Relation.objects.filter(person=person).delete()
    _file_free_text_remove(person)
    audit(actor=actor, action=AuditEvent.Action.UPDATE, obj=person, message="person.anonymised",
          params={"person_id": person.pk})
    return person


def _file_free_text_remove(person: Person) -> None:
    """What was written about the person in the file: assessment summaries (their documents go), plan review
    comments and who agreed, goals in the person's own words and their outcomes, who gave a consent."""
    Assessment.objects.filter(person=person).update(summary="")
    AssessmentDocument.objects.filter(assessment__person=person).delete()
    SupportPlan.objects.filter(person=person).update(review_comment="", agreed_by_name="")
    Goal.objects.filter(plan__person=person).update(text=REMOVED, outcome_comment="")
    Consent.objects.filter(person=person).update(given_by_name=REMOVED)


def persons_anonymise_expired(*, today: dt.date | None = None) -> int:
    """Anonymise every person whose file has expired; returns how many."""
    today = today or timezone.localdate()
    cutoff = _years_after(today, -FILE_YEARS)
    expired = (Person.objects.filter(anonymised_at__isnull=True)
               .annotate(last_end=Max("plans__period_end")).filter(last_end__lt=cutoff))
    count = 0
    for person in expired:
        person_anonymise(person=person)
        count += 1
    return count


def retention_run(*, today: dt.date | None = None) -> dict:
    """The daily retention job in one municipality: expired persons, expired free text, expired audit rows."""
    today = today or timezone.localdate()
    return {"persons": persons_anonymise_expired(today=today),
            "free_text": free_text_anonymise_expired(today=today), "audit": audit_expire(today=today)}
