"""The daily retention job (issue 15) also blanks free text about a person in records whose own term has passed —
agreements and their events, sessions, messages; the file's text when the person is anonymised — and deletes
audit rows after their term (reads 2 years, the rest 5). Dates are moved past the term; records inside their
term are left alone, and a second run changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from portal.budgets.people.models import Assessment, AssessmentDocument, Consent, Goal, SupportPlan
from portal.budgets.people.retention import FILE_YEARS, file_end, retention_run
from portal.budgets.people.tasks import retention
from portal.marketplace.agreements.models import Agreement, AgreementEvent
from portal.marketplace.invoicing.models import Session
from portal.notifications.threads.models import Message
from portal.platform.core.models import AuditEvent
from portal.platform.core.retention import (ACCOUNTING_YEARS, AUDIT_READ_YEARS, AUDIT_YEARS, REMOVED,
                                            free_text_anonymise_expired, free_text_rules, years_after)
from tests.factories import build_world
from tests.invoicing.conftest import _ids_beyond_the_demo, _own_staff, active_agreement, record

pytestmark = pytest.mark.django_db

@pytest.fixture
def world(muni_a):
    _ids_beyond_the_demo(muni_a)
    return _own_staff(build_world(muni_a))


TEXT = "Jānis fears crowds; his mother asked for mornings"


def _today():
    return timezone.localdate()


def _written(agreement, world, *, session_note=TEXT):
    Agreement.objects.filter(pk=agreement.pk).update(explanation=TEXT, decline_reason=TEXT, cancel_reason=TEXT)
    AgreementEvent.objects.filter(agreement=agreement).update(note=TEXT)
    session = record(agreement, world.staff, days_ago=2, note=session_note)
    Session.objects.filter(pk=session.pk).update(dispute_reason=TEXT)
    message = Message.objects.create(agreement=agreement, author=world.person_user, body=TEXT, report_reason=TEXT)
    return session, message


def test_free_text_of_records_past_their_term_is_blanked_the_rest_stays(world):
    old, current = active_agreement(world), active_agreement(world, units_per_week="1")
    old_session, old_message = _written(old, world)
    new_session, new_message = _written(current, world)
    today = _today()
    # The old agreement ended five years ago tomorrow: still inside its term.
    ended = years_after(today, -ACCOUNTING_YEARS)
    Agreement.objects.filter(pk=old.pk).update(period_start=ended - dt.timedelta(days=90), period_end=ended)
    Session.objects.filter(pk=old_session.pk).update(date=dt.date(today.year - ACCOUNTING_YEARS, 12, 31))
    assert free_text_anonymise_expired(today=today) == {}
    assert Agreement.objects.get(pk=old.pk).explanation == TEXT

    # A day later the agreement's term is over; the session's year ended more than five years ago.
    Agreement.objects.filter(pk=old.pk).update(period_end=ended - dt.timedelta(days=1))
    Session.objects.filter(pk=old_session.pk).update(date=dt.date(today.year - ACCOUNTING_YEARS - 1, 12, 31))
    before = Agreement.objects.get(pk=old.pk)
    done = free_text_anonymise_expired(today=today)
    assert done == {"agreements.agreement": 1, "agreements.agreementevent": AgreementEvent.objects.filter(
        agreement=old).count(), "invoicing.session": 1, "threads.message": 1}
    after = Agreement.objects.get(pk=old.pk)
    assert (after.explanation, after.decline_reason, after.cancel_reason) == ("", "", "")
    assert (after.total_amount, after.person_id, after.status) == (before.total_amount, before.person_id,
                                                                   before.status)  # the ledger still adds up
    assert set(AgreementEvent.objects.filter(agreement=old).values_list("note", flat=True)) == {""}
    session = Session.objects.get(pk=old_session.pk)
    assert (session.note, session.staff_name, session.dispute_reason) == ("", REMOVED, "")
    assert (session.units, session.unit_price) == (old_session.units, old_session.unit_price)
    message = Message.objects.get(pk=old_message.pk)
    assert (message.body, message.report_reason) == (REMOVED, "")

    # inside their term: untouched
    assert Agreement.objects.get(pk=current.pk).explanation == TEXT
    assert Session.objects.get(pk=new_session.pk).note == TEXT
    assert Message.objects.get(pk=new_message.pk).body == TEXT
    row = AuditEvent.objects.get(summary="retention: free text anonymised")
    assert row.changes["rows"]["invoicing.session"] == 1
    assert free_text_anonymise_expired(today=today) == {}  # once


def test_every_rule_names_real_text_fields():
    rules = {rule.label: rule for rule in free_text_rules()}
    assert {"agreements.agreement", "agreements.agreementevent", "invoicing.session", "threads.message"} <= set(rules)
    for rule in rules.values():
        for name in rule.fields:
            assert rule.model._meta.get_field(name).get_internal_type() in ("CharField", "TextField")


def test_an_expired_file_loses_its_free_text_with_the_person(world):
    adult = world.adult
    plan = world.budget.plan
    assessment = Assessment.objects.create(person=adult, kind=Assessment.Kind.SIS, scores={}, level=2, summary=TEXT,
                                           assessor_name="Ilze Ozola", assessed_on=plan.period_start,
                                           valid_until=plan.period_end)
    AssessmentDocument.objects.create(assessment=assessment, file_name="decision.pdf",
                                      content_type="application/pdf", size=4, content=b"%PDF")
    SupportPlan.objects.filter(pk=plan.pk).update(review_comment=TEXT, agreed_by_name="Jānis Bērziņš")
    Goal.objects.filter(plan__person=adult).update(outcome_comment=TEXT)
    Consent.objects.create(person=adult, kind=Consent.Kind.CONTACT_BY_EMAIL, given_on=plan.period_start,
                           given_by_name="Jānis Bērziņš")
    later = years_after(file_end(adult), FILE_YEARS) + dt.timedelta(days=1)
    result = retention_run(today=later)
    assert result["persons"] >= 1
    assert set(Assessment.objects.filter(person=adult).values_list("summary", flat=True)) == {""}
    assert not AssessmentDocument.objects.filter(assessment__person=adult).exists()
    plan_after = SupportPlan.objects.get(pk=plan.pk)
    assert (plan_after.review_comment, plan_after.agreed_by_name) == ("", "")
    assert set(Goal.objects.filter(plan__person=adult).values_list("text", "outcome_comment")) == {(REMOVED, "")}
    assert set(Consent.objects.filter(person=adult).values_list("given_by_name", flat=True)) == {REMOVED}
    assert Goal.objects.filter(plan__person=adult).count() >= 1  # the goals (and their shares) stay


def _aged(action, days):
    event = AuditEvent.objects.create(action=action, object_type="people.person", summary=f"{action} {days}")
    AuditEvent.objects.filter(pk=event.pk).update(at=timezone.now() - dt.timedelta(days=days))
    return event.pk


def test_audit_rows_expire_after_their_term(muni_a):
    connection.set_tenant(muni_a)
    years = 365.25
    read_old, read_kept = _aged("view", int(AUDIT_READ_YEARS * years) + 2), _aged("view", int(AUDIT_READ_YEARS
                                                                                               * years) - 2)
    change_old = _aged("update", int(AUDIT_YEARS * years) + 2)
    change_kept, login_kept = _aged("update", int(AUDIT_READ_YEARS * years) + 2), _aged("login", 4 * 365)
    result = retention(schema_name=muni_a.schema_name)  # the scheduled task itself, run here
    assert result["audit"] == {"reads": 1, "others": 1}
    connection.set_tenant(muni_a)
    left = set(AuditEvent.objects.values_list("pk", flat=True))
    assert {read_kept, change_kept, login_kept} <= left and not {read_old, change_old} & left
    assert AuditEvent.objects.filter(summary="retention: expired audit rows deleted").count() == 1
    assert retention(schema_name=muni_a.schema_name)["audit"] == {"reads": 0, "others": 0}
