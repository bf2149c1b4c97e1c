"""Each role's to-do list is computed from the data, in a fixed number of queries, and shown on the dashboard."""

import pytest
from django.db import connection

from portal.notifications.todo import todo_for
from portal.tenants.roles import Role
from tests.factories import draft, sent
from tests.invoicing.conftest import record
from tests.invoicing.test_services import finance

pytestmark = pytest.mark.django_db


def _codes(todos, role):
    return {item.code: item.count for item in todos[role]}


def test_person_sees_sessions_to_confirm_and_drafts_of_the_support_person(world, agreement,
                                                                          django_assert_max_num_queries):
    before = _codes(todo_for(world.person_user, world.municipality), Role.PERSON)  # the demo's own person
    before_support = _codes(todo_for(world.supporter, world.municipality), Role.SUPPORT_PERSON)
    record(agreement, world.staff, days_ago=1)
    record(agreement, world.staff, days_ago=2)
    draft(world, actor=world.supporter, units_per_week="1")
    connection.set_tenant(world.municipality)
    with django_assert_max_num_queries(3):
        todos = todo_for(world.person_user, world.municipality)
    after = _codes(todos, Role.PERSON)
    assert {code: after[code] - before[code] for code in after} == {
        "sessions.confirm": 2, "copayments.due": 0, "agreements.sign": 0, "agreements.drafts": 1}
    # The support person sees their own draft, not yet sent.
    with django_assert_max_num_queries(2):
        todos = todo_for(world.supporter, world.municipality)
    assert _codes(todos, Role.SUPPORT_PERSON)["agreements.my_drafts"] == before_support["agreements.my_drafts"] + 1


def test_staff_lists(world, agreement, django_assert_max_num_queries):
    connection.set_tenant(world.municipality)
    with django_assert_max_num_queries(5):
        todos = todo_for(world.social_worker, world.municipality)
    assert set(_codes(todos, Role.SOCIAL_WORKER)) == {"plans.approve", "plans.review", "budgets.alerts"}
    with django_assert_max_num_queries(5):
        todos = todo_for(finance(world), world.municipality)
    assert [item.code for item in todos[Role.FINANCE_OFFICER]] == ["invoices.approve", "payments.failed"]
    with django_assert_max_num_queries(3):
        todos = todo_for(world.admin, world.municipality)
    assert [item.code for item in todos[Role.MUNICIPALITY_ADMIN]] == ["catalogue.approve"]


def test_provider_sees_requests_to_answer_on_the_national_site(world, django_assert_max_num_queries,
                                                               django_capture_on_commit_callbacks):
    connection.set_schema_to_public()
    before = _codes(todo_for(world.staff, None), Role.PROVIDER_STAFF)["agreements.answer"]
    with django_capture_on_commit_callbacks(execute=True):  # the provider's work index is written on commit
        sent(world)
    connection.set_schema_to_public()
    with django_assert_max_num_queries(3):
        todos = todo_for(world.staff, None)
    assert _codes(todos, Role.PROVIDER_STAFF)["agreements.answer"] == before + 1


def test_dashboard_starts_with_the_to_do_list(world, agreement, client_for):
    record(agreement, world.staff)
    page = client_for(user=world.person_user).get("/panelis/")
    body = page.content.decode()
    assert 'data-todo-item="sessions.confirm"' in body
    assert body.index("data-todo") < body.index('data-role="person"')
    # The same user on the other municipality's site: nothing of A's waits there.
    other = client_for("liepaja", user=world.person_user)
    assert 'data-todo-item="sessions.confirm"' not in other.get("/panelis/").content.decode()
