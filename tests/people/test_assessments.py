"""Needs assessments: level from scores, ranges, documents checked by content and size."""

import datetime as dt

import pytest

from portal.budgets.people import services
from portal.budgets.people.assessments import child_level, sis_level
from portal.budgets.people.errors import AssessmentInvalid, DocumentRejected
from portal.budgets.people.models import Assessment, AssessmentDocument
from portal.platform.core.models import AuditEvent

from .conftest import TODAY, child_scores, sis_scores

PDF = b"%PDF-1.4\n%test\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 20


def test_adult_gets_a_sis_assessment_with_a_computed_level(register_person, worker):
    person = register_person()
    assessment = services.assessment_create(person=person, scores=sis_scores(12), assessed_on=TODAY,
                                            valid_until=TODAY + dt.timedelta(365), actor=worker)
    assert assessment.kind == "sis" and assessment.level == 3 and assessment.assessor_name == worker.full_name


def test_child_gets_a_functional_assessment(register_person, worker):
    person = register_person(child=True)
    assessment = services.assessment_create(person=person, scores=child_scores(4), assessed_on=TODAY,
                                            valid_until=TODAY + dt.timedelta(365), actor=worker)
    assert assessment.kind == "child_functional" and assessment.level == 4


def test_levels_follow_the_scores():
    assert sis_level(sis_scores(5)) == 1
    assert sis_level(sis_scores(5), medical_needs=11) == 4
    assert sis_level(sis_scores(5), behavioural_needs=6) == 3
    assert child_level(child_scores(0)) == 1
    assert child_level(child_scores(2)) == 2


@pytest.mark.parametrize("scores,kwargs,field", [
    ({**sis_scores(), "home_living": 21}, {}, "score_home_living"),
    ({k: v for k, v in sis_scores().items() if k != "social"}, {}, "score_social"),
    (sis_scores(), {"valid_until": TODAY}, "valid_until"),
    (sis_scores(), {"assessed_on": TODAY + dt.timedelta(1)}, "assessed_on"),
    (sis_scores(), {"medical_needs": 30}, "medical_needs"),
])
def test_bad_assessments_are_refused_and_nothing_written(register_person, worker, scores, kwargs, field):
    person = register_person()
    before = (Assessment.objects.count(), AuditEvent.objects.count())
    args = {"assessed_on": TODAY, "valid_until": TODAY + dt.timedelta(365), **kwargs}
    with pytest.raises(AssessmentInvalid) as caught:
        services.assessment_create(person=person, scores=scores, actor=worker, **args)
    assert caught.value.field == field
    assert (Assessment.objects.count(), AuditEvent.objects.count()) == before


def test_documents_are_checked_by_content_and_size(register_person, worker):
    person = register_person()
    assessment = services.assessment_create(person=person, scores=sis_scores(), assessed_on=TODAY,
                                            valid_until=TODAY + dt.timedelta(365), actor=worker)
    pdf = services.document_attach(assessment=assessment, file_name="slēdziens.pdf", content=PDF, actor=worker)
    png = services.document_attach(assessment=assessment, file_name="foto.png", content=PNG, actor=worker)
    assert (pdf.content_type, png.content_type) == ("application/pdf", "image/png")
    for name, content in [("x.pdf", b"MZ\x90\x00 not a pdf"), ("big.pdf", PDF + b"0" * (10 * 1024 * 1024)),
                          ("empty.pdf", b"")]:
        with pytest.raises(DocumentRejected):
            services.document_attach(assessment=assessment, file_name=name, content=content, actor=worker)
    assert AssessmentDocument.objects.filter(assessment=assessment).count() == 2
