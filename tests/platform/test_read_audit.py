"""Every read of personal data lands in the municipality's audit log (issue 15, "Audit").

The walk: every URL pattern of both sites (pages and API) is classified here — personal (walked: requested
by a role that may read it, and its audit row naming the person is looked for), own (the family's own pages:
the person reading their own data writes no row), action (POST-only) or not personal. A new URL pattern that
is in no class fails the test, so a new endpoint cannot skip the audit unnoticed.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.urls import URLPattern, URLResolver, get_resolver

from portal.budgets.ledger.services import budget_grant
from portal.budgets.people.models import SupportPlan
from portal.marketplace.invoicing.invoices import invoice_approve, invoice_create, invoice_submit
from portal.marketplace.invoicing.models import Invoice
from portal.marketplace.invoicing.period import carry_overs_ask_due
from portal.marketplace.payments.models import Payment, PaymentSettings
from portal.marketplace.invoicing.sessions import session_confirm
from portal.platform.core.models import AuditEvent
from portal.tenants.roles import Role
from tests.conftest import MUNICIPALITY_A, MUNICIPALITY_B, demo_user
from tests.invoicing.conftest import _ids_beyond_the_demo, _own_staff, active_agreement, record, today
from tests.factories import build_world, make_plan

pytestmark = pytest.mark.django_db

SW, FO, ADMIN = Role.SOCIAL_WORKER, Role.FINANCE_OFFICER, Role.MUNICIPALITY_ADMIN
# name → (who reads, address with {placeholders}, whose data: "adult" or "child")
PERSONAL_TENANT = {
    "frontend:dashboard": (SW, "/panelis/", "adult"),
    "people:person-list": (SW, "/personas/", "adult"),
    "people:person": (SW, "/personas/{adult}/", "adult"),
    "people:person-export": (SW, "/personas/{adult}/dati/", "adult"),
    "people:person-erasure": (SW, "/personas/{adult}/dzesana/", "adult"),
    "people:person-edit": (SW, "/personas/{adult}/labot/", "adult"),
    "people:assessment-create": (SW, "/personas/{adult}/novertejumi/jauns/", "adult"),
    "people:plan-create": (SW, "/personas/{adult}/plani/jauns/", "adult"),
    "people:plan": (SW, "/personas/{adult}/plani/{plan}/", "adult"),
    "people:plan-review": (SW, "/personas/{adult}/plani/{plan}/izvertesana/", "adult"),
    "people:relation-add": (SW, "/personas/{adult}/saistibas/jauna/", "adult"),
    "people:consent-create": (SW, "/personas/{adult}/piekrisanas/jauna/", "adult"),
    "people:my-plan": ("representative", "/mans-plans/", "child"),
    "budgets:list": (SW, "/budzeti/", "adult"),
    "budgets:budget": (SW, "/budzeti/{budget}/", "adult"),
    "budgets:my-budget": ("representative", "/mans-budzets/", "child"),
    "budgets:my-history": ("supporter", "/mans-budzets/vesture/", "adult"),
    "agreements:list": (SW, "/vienosanas/", "adult"),
    "agreements:detail": (SW, "/vienosanas/{agreement}/", "adult"),
    "invoicing:family-sessions": ("supporter", "/nodarbibas/", "adult"),
    "invoicing:family-session": ("supporter", "/nodarbibas/{session}/", "adult"),
    "invoicing:finance-queue": (FO, "/rekini/", "adult"),
    "invoicing:finance-invoice": (FO, "/rekini/{invoice}/", "adult"),
    "invoicing:finance-invoice-pdf": (FO, "/rekini/{invoice}/pdf/", "adult"),
    "api:people-persons": (SW, "/api/v1/persons/", "adult"),
    "api:people-person": (SW, "/api/v1/persons/{adult}/", "adult"),
    "api:people-relations": (SW, "/api/v1/persons/{adult}/relations/", "adult"),
    "api:people-consents": (SW, "/api/v1/persons/{adult}/consents/", "adult"),
    "api:people-assessments": (SW, "/api/v1/persons/{adult}/assessments/", "adult"),
    "api:people-plans": (SW, "/api/v1/persons/{adult}/plans/", "adult"),
    "api:people-plan": (SW, "/api/v1/persons/{adult}/plans/{plan}/", "adult"),
    "api:budgets-list": (SW, "/api/v1/budgets/", "adult"),
    "api:budgets-detail": (SW, "/api/v1/budgets/{budget}/", "adult"),
    "api:budgets-entries": (SW, "/api/v1/budgets/{budget}/entries/", "adult"),
    "api:agreements-list": (SW, "/api/v1/agreements/", "adult"),
    "api:agreements-detail": (SW, "/api/v1/agreements/{agreement}/", "adult"),
    "api:agreements-copayment": (SW, "/api/v1/agreements/{agreement}/copayment/", "adult"),
    "api:invoicing-sessions": ("supporter", "/api/v1/sessions/", "adult"),
    "api:invoicing-invoices": (FO, "/api/v1/invoices/", "adult"),
    "api:invoicing-invoice": (FO, "/api/v1/invoices/{invoice}/", "adult"),
    "notifications:thread": (SW, "/vienosanas/{agreement}/zinas/", "adult"),
    "api:messages-list": (SW, "/api/v1/agreements/{agreement}/messages/", "adult"),
}
# Provider staff on the national site read a municipality's records: the row lands in that municipality.
PERSONAL_PUBLIC = {
    "invoicing:provider-agreement": ("staff", "/sniedzejs/{code}/vienosanas/{agreement}/", "adult"),
    "invoicing:provider-bulk": ("staff", "/sniedzejs/{code}/vienosanas/{agreement}/nodarbibas/menesis/", "adult"),
    "invoicing:provider-csv": ("staff", "/sniedzejs/{code}/vienosanas/{agreement}/nodarbibas/csv/", "adult"),
    "invoicing:provider-session": ("staff", "/sniedzejs/{code}/nodarbibas/{session}/", "adult"),
    "invoicing:provider-invoice": ("staff", "/sniedzejs/{code}/rekini/{invoice}/", "adult"),
    "invoicing:provider-invoice-pdf": ("staff", "/sniedzejs/{code}/rekini/{invoice}/pdf/", "adult"),
    "api:invoicing-provider-sessions": (
        "staff", "/api/v1/provider/{code}/agreements/{agreement}/sessions/", "adult"),
    "api:invoicing-provider-invoice": ("staff", "/api/v1/provider/{code}/invoices/{invoice}/", "adult"),
    "notifications:provider-thread": ("staff", "/sniedzejs/{code}/vienosanas/{agreement}/zinas/", "adult"),
    "api:provider-messages-list": ("staff", "/api/v1/provider/{code}/agreements/{agreement}/messages/", "adult"),
}
# Walked in scenes of their own: payments exist once the invoice is approved; a carry-over question once a new
# plan version replaces the budget (either would change what the pages above show).
PERSONAL_PAYMENTS = {
    "payments:list": (FO, "/maksajumi/", "adult"),
    "payments:family": ("supporter", "/budzets/samaksats/", "adult"),
    "api:payments-list": (FO, "/api/v1/payments/", "adult"),
    "api:payments-detail": (FO, "/api/v1/payments/{payment}/", "adult"),
    "api:payments-family": ("supporter", "/api/v1/payments/mine/", "adult"),
}
PERSONAL_CARRY_OVERS = {
    "api:agreements-carry-overs": (SW, "/api/v1/agreements/carry-overs/", "adult"),
}
# Personal, but not walked here, and why.
NOT_WALKED = {
    "people:document": "an uploaded file: read through the same checkpoint and audited by the mechanism",
    "api:people-documents": "needs an uploaded file; same mechanism",
    "api:people-document": "needs an uploaded file; same mechanism",
    "notifications:attachment": "a message's attachment: same mechanism (tests/notifications/test_attachments.py)",
    "notifications:provider-attachment": "a message's attachment: same mechanism (test_attachments.py)",
    "api:messages-attachment": "a message's attachment: same mechanism (test_attachments.py)",
    "api:provider-messages-attachment": "a message's attachment: same mechanism (test_attachments.py)",
    "people:my-support-person": "the person's own page (own reads write no row)",
    "people:my-data-views": "the person's own page (own reads write no row); tested below",
    "people:my-data-export": "the person's own download (tests/people/test_data_export.py)",
    "people:my-erasure": "the person's own page (own reads write no row); tests/people/test_erasure_pages.py",
    "people:erasure-requests": "open erasure requests (none in this scene): the same mechanism; its row is "
                               "asserted in tests/people/test_erasure_pages.py",
    "api:me": "the signed-in user's own account",
    "frontend:members": "staff accounts, not a person's data",
    "agreements:new": "the person's own form (own reads write no row)",
    "agreements:approvals": "the municipality's approval queue: walked by the same mechanism (empty here)",
    "invoicing:provider-hub": "the public work index: service names and statuses, no person",
    "api:invoicing-provider-work": "the public work index: service names and statuses, no person",
    "catalogue:my-providers": "the provider's own organisation",
    "people:plan-edit": "an approved plan's edit page redirects to the plan (walked above)",
    "budgets:person-budget": "redirects to the person's current budget (walked above)",
    "notifications:list": "the signed-in user's own notifications (ids and short labels; the records they link "
                          "to are audited when opened)",
    "notifications:open": "the user's own notification: marks it read and redirects to its record (audited there)",
    "api:notifications-list": "the signed-in user's own notifications (ids and short labels)",
    "api:notifications-todo": "the signed-in user's own to-do list: counts and links; any personal record it "
                              "loads is noticed by the same mechanism",
    "payments:batches": "bank batches: provider payees and totals; the Payment rows a batch loads are "
                        "registered, so the same mechanism audits them",
    "payments:batch": "a bank batch: provider payees; its Payment rows are audited by the same mechanism",
    "payments:batch-file": "the pain.001 file of a batch (provider payees); same mechanism",
    "api:payments-batches": "bank batches: provider payees and totals; same mechanism",
    "api:payments-batch": "a bank batch: provider payees; same mechanism",
    "api:payments-batch-pain001": "the pain.001 file of a batch (provider payees); same mechanism",
    "payments:reverse": "a paid payment's cancel page: the Payment row it loads is registered, so the same "
                        "mechanism audits it (walked on payments:list)",
    "payments:provider": "the provider's payments from the public work index: references and amounts, no person",
    "api:payments-provider": "the provider's payments from the public work index: references and amounts, no person",
}
# Writes only (POST): reads during a write are not audited as reads; the write audits itself.
ACTIONS = {
    "people:plan-agree", "people:plan-approve", "people:plan-new-version", "people:relation-end",
    "people:consent-withdraw", "people:my-plan-agree", "frontend:member-remove",
    "agreements:confirm", "agreements:send", "agreements:withdraw", "agreements:accept", "agreements:decline",
    "agreements:decide", "agreements:cancel", "catalogue:cap-remove", "catalogue:location-delete",
    "catalogue:staff-remove", "catalogue:provider-status", "api:people-relation-visibility",
    "api:people-relation-end", "api:people-consent-withdraw", "api:people-plan-agree", "api:people-plan-approve",
    "api:people-plan-review", "api:agreements-quote", "api:agreements-confirm", "api:agreements-send",
    "api:agreements-accept", "api:agreements-decline", "api:agreements-approve", "api:agreements-reject",
    "api:agreements-cancel", "api:invoicing-session-confirm", "api:invoicing-session-dispute",
    "api:invoicing-sessions-confirm-month", "invoicing:family-sessions-confirm-month",
    "api:invoicing-invoice-approve", "api:invoicing-invoice-reject", "api:invoicing-provider-invoice-create",
    "api:invoicing-provider-invoice-submit", "api:people-person-erasure", "invoicing:provider-invoice-create", "accounts:logout", "set_language", "catalogue:approval-services-all",
    "agreements:carry-over", "api:agreements-carry-over-answer", "api:notifications-read", "notifications:read-all",
    "notifications:report", "notifications:provider-report", "payments:retry", "api:payments-retry",
    "api:payments-batch-confirm", "api:payments-batch-cancel", "stripe_connect:connect",
    "stripe_connect:copayment-pay", "payments:recovered", "api:payments-reverse", "api:payments-recovered",
}
# No person's data: the catalogue, search, accounts, schema, the municipality's settings.
NOT_PERSONAL_PREFIXES = ("catalogue:", "search:", "accounts:", "api:search-", "api:catalogue-")
NOT_PERSONAL = {
    "frontend:home", "frontend:municipalities", "people:person-create", "frontend:municipality-new", "frontend:audit-log",
    "budgets:methodology", "agreements:rules", "agreements:provider-home", "api:schema", "api:docs",
    "api:redoc", "api:municipality-list", "api:membership-list", "api:membership-detail", "api:membership-confirm",
    "api:budgets-methodology", "healthz",
    # statistics: aggregates only, small cells suppressed
    "statistics:dashboard", "statistics:export", "statistics:pilot", "statistics:pilot-export", "api:stats-root",
    "api:stats-cells", "api:stats-municipalities", "api:stats-pilot",
    # the municipality's money side: accounts, statements, alerts, funding, settings (no person)
    "payments:statement", "payments:reconciliation", "payments:funding", "payments:settings",
    "api:payments-statements", "api:payments-funding",
    # Stripe: signed events from Stripe (POST), the provider's own organisation, the platform's balance
    "stripe-webhook", "stripe_connect:account", "stripe_connect:balance", "api:stripe-provider-account",
    "api:stripe-provider-onboarding",
    "notifications:preferences",  # the user's own notification settings
    "frontend:api-reference",
}


def url_names(urlconf: str) -> set[str]:
    def walk(patterns, namespace=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                if p.namespace == "admin":
                    continue
                yield from walk(p.url_patterns, namespace + (f"{p.namespace}:" if p.namespace else ""))
            elif isinstance(p, URLPattern):
                yield namespace + (p.name or str(p.pattern))
    return set(walk(get_resolver(urlconf).url_patterns))


def test_every_url_pattern_is_classified():
    """A new endpoint must say whether it returns personal data (and then be walked below)."""
    known = (set(PERSONAL_TENANT) | set(PERSONAL_PUBLIC) | set(PERSONAL_PAYMENTS) | set(PERSONAL_CARRY_OVERS)
             | set(NOT_WALKED) | ACTIONS | NOT_PERSONAL)
    names = url_names("portal.platform.urls_tenant") | url_names("portal.platform.urls_public")
    unclassified = sorted(n for n in names if n not in known and not n.startswith(NOT_PERSONAL_PREFIXES))
    assert unclassified == [], f"classify these URL names in {__file__}: {unclassified}"


@pytest.fixture
def scene(muni_a):
    _ids_beyond_the_demo(muni_a)
    world = _own_staff(build_world(muni_a))
    agreement = active_agreement(world)
    session = record(agreement, world.staff, days_ago=0)
    session_confirm(session=session, actor=world.person_user)
    invoice = invoice_submit(invoice=invoice_create(agreement=agreement, year=today().year, month=today().month,
                                                    actor=world.staff), actor=world.staff)
    connection.set_tenant(muni_a)
    places = {"adult": world.adult.pk, "child": world.child.pk, "plan": world.budget.plan_id,
              "budget": world.budget.pk, "agreement": agreement.pk, "session": session.pk, "invoice": invoice.pk,
              "code": MUNICIPALITY_A}
    return world, places


def _reader(world, who):
    return {"representative": world.representative, "supporter": world.supporter, "staff": world.staff}.get(who) \
        or demo_user(who, MUNICIPALITY_A)


def _rows_naming(person_id, since_id):
    return list(AuditEvent.objects.filter(pk__gt=since_id, action="view", changes__persons__contains=[person_id]))


def _walk(world, places, table, client_for, site="tenant"):
    """Request each address as its reader; the names whose read did not write exactly one row naming the
    person (by that reader)."""
    missing = []
    for name, (who, address, whose) in table.items():
        reader = _reader(world, who)
        connection.set_tenant(world.municipality)
        last = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        client = client_for(MUNICIPALITY_A if site == "tenant" else None, user=reader)
        response = client.get(address.format(**places))
        assert response.status_code == 200, (name, response.status_code)
        connection.set_tenant(world.municipality)
        rows = _rows_naming(places[whose], last)
        if len(rows) != 1 or rows[0].actor_id != reader.pk:
            missing.append((name, len(rows)))
    return missing


@pytest.mark.parametrize("site", ["tenant", "public"])
def test_every_personal_read_lands_in_the_municipalitys_audit_log(scene, client_for, site):
    world, places = scene
    table = PERSONAL_TENANT if site == "tenant" else PERSONAL_PUBLIC
    assert _walk(world, places, table, client_for, site) == []


def test_payment_reads_land_in_the_municipalitys_audit_log(scene, client_for):
    world, places = scene
    rules = PaymentSettings.current()
    rules.rail, rules.debtor_iban, rules.debtor_name = "bank_file", "LV34TREL9999999999999", "Jelgava"
    rules.save()
    invoice = invoice_approve(invoice=Invoice.objects.get(pk=places["invoice"]), actor=demo_user(FO, MUNICIPALITY_A))
    connection.set_tenant(world.municipality)
    places["payment"] = Payment.objects.get(invoice=invoice).pk
    assert _walk(world, places, PERSONAL_PAYMENTS, client_for) == []


def test_carry_over_reads_land_in_the_municipalitys_audit_log(scene, client_for):
    world, places = scene
    SupportPlan.objects.filter(pk=world.budget.plan_id).update(status="superseded")
    start = dt.date.today() + dt.timedelta(days=30)
    plan = make_plan(world.adult, start=start, end=start.replace(year=start.year + 1) - dt.timedelta(days=1))
    budget_grant(plan=plan, actor=None, level=2)
    assert carry_overs_ask_due()
    connection.set_tenant(world.municipality)
    assert _walk(world, places, PERSONAL_CARRY_OVERS, client_for) == []


def test_the_row_says_who_in_plain_words_and_a_list_is_one_row(scene, client_for, django_assert_max_num_queries):
    world, places = scene
    connection.set_tenant(world.municipality)
    last = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    worker = client_for(MUNICIPALITY_A, user=world.social_worker)
    with django_assert_max_num_queries(12):
        assert worker.get("/api/v1/budgets/").status_code == 200
    connection.set_tenant(world.municipality)
    rows = list(AuditEvent.objects.filter(pk__gt=last, action="view"))
    assert len(rows) == 1
    row = rows[0]
    assert {world.adult.pk, world.child.pk} <= set(row.changes["persons"])
    assert row.changes["roles"] == [SW] and row.changes["organisation"] == world.municipality.name
    assert row.changes["path"] == "/api/v1/budgets/"


def test_provider_reads_name_the_provider_and_land_in_the_municipality(scene, client_for):
    world, places = scene
    connection.set_tenant(world.municipality)
    last = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    client_for(None, user=world.staff).get("/sniedzejs/{code}/vienosanas/{agreement}/".format(**places))
    connection.set_tenant(world.municipality)
    (row,) = _rows_naming(world.adult.pk, last)
    assert row.changes["roles"] == [Role.PROVIDER_STAFF] and row.changes["organisation"] == world.provider.name
    connection.set_schema_to_public()
    assert not AuditEvent.objects.filter(pk__gt=0, changes__persons__contains=[world.adult.pk]).exists()


def test_own_reads_refusals_and_the_other_municipality_write_nothing(scene, client_for):
    world, places = scene
    connection.set_tenant(world.municipality)
    last = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    assert client_for(MUNICIPALITY_A, user=world.person_user).get("/mans-budzets/").status_code == 200
    assert client_for(MUNICIPALITY_A, user=world.supporter).get(
        "/api/v1/persons/{adult}/plans/".format(**places)).status_code in (403, 404)
    assert client_for(MUNICIPALITY_B, user=demo_user(SW, MUNICIPALITY_B)).get(
        "/api/v1/budgets/{budget}/".format(**places)).status_code == 404
    connection.set_tenant(world.municipality)
    assert not AuditEvent.objects.filter(pk__gt=last, action="view").exists()


def test_the_person_and_the_representative_see_who_looked_in_plain_words(scene, client_for,
                                                                         django_assert_max_num_queries):
    world, places = scene
    client_for(MUNICIPALITY_A, user=world.social_worker).get("/budzeti/{budget}/".format(**places))
    client_for(MUNICIPALITY_A, user=world.social_worker).get("/api/v1/persons/{child}/".format(**places))
    client_for(MUNICIPALITY_A, user=world.person_user).get("/mans-budzets/")  # own read: not listed
    person = client_for(MUNICIPALITY_A, user=world.person_user, language="en")
    with django_assert_max_num_queries(10):
        page = person.get("/mani-dati/skatijumi/")
    assert page.status_code == 200
    text = page.content.decode()
    assert f"Social worker — {world.municipality.name}" in text and "budgets" in text
    assert text.count("Social worker —") == 1  # the child's read is the representative's to see, not the adult's
    child_side = client_for(MUNICIPALITY_A, user=world.representative, language="en").get("/mani-dati/skatijumi/")
    assert world.child.full_name in child_side.content.decode()
    assert "Social worker —" in child_side.content.decode()
    assert client_for(MUNICIPALITY_A, user=world.supporter).get("/mani-dati/skatijumi/").status_code == 403
    other = client_for(MUNICIPALITY_B, user=world.person_user).get("/mani-dati/skatijumi/")
    assert other.status_code == 403
