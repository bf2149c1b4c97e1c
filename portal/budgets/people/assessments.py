"""Needs assessments: the Support Intensity Scale summary (adults) and the functional assessment by domain
(children), with the resulting support-need level, and their attached documents.

The level rules below are a transparent simplification for the pilot (the ministry's methodology sets the
real cut-offs): SIS sub-scale standard scores are 1–20, their mean gives the level, and exceptional medical
or behavioural needs (section 3, 0–26 each) raise it; children's domains are scored 0 (no limitation) to 4
(complete limitation), their sum gives the level.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.platform.core.models import AuditEvent
from portal.platform.core.uploads import upload_check
from portal.platform.outbox.services import outbox_emit

from .common import audit_person, require_consent, require_writer
from .eligibility import require_eligible
from .errors import AssessmentInvalid, DocumentRejected
from .models import CHILD_DOMAINS, SIS_SUBSCALES, Assessment, AssessmentDocument, Consent, Person, TargetGroup

SIS_SCORE_RANGE = (1, 20)
CHILD_SCORE_RANGE = (0, 4)
EXCEPTIONAL_RANGE = (0, 26)
MAX_VALIDITY_DAYS = 3 * 366


def sis_level(scores: dict, medical_needs: int = 0, behavioural_needs: int = 0) -> int:
    mean = Decimal(sum(scores[k] for k in SIS_SUBSCALES)) / len(SIS_SUBSCALES)
    level = 1 if mean < 7 else 2 if mean < 10 else 3 if mean < 13 else 4
    if medical_needs > 10 or behavioural_needs > 10:
        level = 4
    elif medical_needs > 5 or behavioural_needs > 5:
        level = max(level, 3)
    return level


def child_level(scores: dict) -> int:
    total = sum(scores[k] for k in CHILD_DOMAINS)
    return 1 if total <= 6 else 2 if total <= 12 else 3 if total <= 18 else 4


def _clean_scores(scores: dict, keys, low: int, high: int) -> dict:
    cleaned = {}
    for key in keys:
        value = scores.get(key)
        try:
            value = int(value)
        except (TypeError, ValueError):
            raise AssessmentInvalid(_("Enter a score for every item."), field=f"score_{key}") from None
        if not low <= value <= high:
            raise AssessmentInvalid(_("Each score must be from %(low)s to %(high)s.") % {"low": low, "high": high},
                                    field=f"score_{key}")
        cleaned[key] = value
    extra = set(scores) - set(keys)
    if extra:
        raise AssessmentInvalid(_("Unknown score."), field=f"score_{sorted(extra)[0]}")
    return cleaned


def assessment_create(*, person: Person, scores: dict, assessed_on: dt.date, valid_until: dt.date,
                      assessor_name: str = "", summary: str = "", medical_needs: int = 0,
                      behavioural_needs: int = 0, actor, request=None) -> Assessment:
    """Record a needs assessment; the kind follows the person's target group and the level is computed.
    Refused while the person's consent to process health and disability data is withdrawn."""
    require_writer(actor)
    require_eligible(person)
    require_consent(person, Consent.Kind.SPECIAL_CATEGORY, _(
        "The person withdrew the consent to process health and disability data: no assessment can be recorded. "
        "Record a new consent first."))
    if not isinstance(assessed_on, dt.date) or assessed_on > timezone.localdate():
        raise AssessmentInvalid(_("Enter the assessment date; it cannot be in the future."), field="assessed_on")
    if not isinstance(valid_until, dt.date) or valid_until <= assessed_on:
        raise AssessmentInvalid(_("The assessment must be valid until a date after it was made."),
                                field="valid_until")
    if (valid_until - assessed_on).days > MAX_VALIDITY_DAYS:
        raise AssessmentInvalid(_("An assessment is valid for at most three years."), field="valid_until")
    if person.target_group == TargetGroup.ADULTS:
        kind = Assessment.Kind.SIS
        cleaned = _clean_scores(scores, SIS_SUBSCALES, *SIS_SCORE_RANGE)
        for name, value in (("medical_needs", medical_needs), ("behavioural_needs", behavioural_needs)):
            if not isinstance(value, int) or not EXCEPTIONAL_RANGE[0] <= value <= EXCEPTIONAL_RANGE[1]:
                raise AssessmentInvalid(_("Enter a score from 0 to 26."), field=name)
        level = sis_level(cleaned, medical_needs, behavioural_needs)
    else:
        kind = Assessment.Kind.CHILD_FUNCTIONAL
        cleaned = _clean_scores(scores, CHILD_DOMAINS, *CHILD_SCORE_RANGE)
        medical_needs = behavioural_needs = 0
        level = child_level(cleaned)
    assessor_name = (assessor_name or "").strip() or actor.full_name
    with transaction.atomic():
        assessment = Assessment.objects.create(
            person=person, kind=kind, scores=cleaned, medical_needs=medical_needs,
            behavioural_needs=behavioural_needs, level=level, summary=(summary or "").strip(),
            assessor=actor, assessor_name=assessor_name, assessed_on=assessed_on, valid_until=valid_until)
        audit_person(actor=actor, action=AuditEvent.Action.CREATE, person=person, obj=assessment,
                     message="person.assessment_recorded", request=request)
        # In the same transaction (ids only): the statistics' "persons assessed" refresh after the commit.
        outbox_emit(kind="assessment.recorded", payload={"assessment_id": assessment.pk, "person_id": person.pk})
    return assessment


def document_attach(*, assessment: Assessment, file_name: str, content: bytes, actor,
                    request=None) -> AssessmentDocument:
    """Attach a PDF, JPEG or PNG of at most 10 MB; the type is read from the content."""
    require_writer(actor)
    upload = upload_check(file_name=file_name, content=content, error=DocumentRejected, field="document")
    file_name, size = upload.file_name, upload.size
    with transaction.atomic():
        document = AssessmentDocument.objects.create(
            assessment=assessment, file_name=file_name, content_type=upload.content_type, size=size,
            content=upload.content, uploaded_by=actor)
        audit_person(actor=actor, action=AuditEvent.Action.CREATE, person=assessment.person, obj=document,
                     message="person.assessment_document_attached", params={"assessment": assessment.pk},
                     changes={"file_name": file_name, "size": size}, request=request)
    return document
