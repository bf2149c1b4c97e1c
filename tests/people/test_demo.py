"""The people demo: enough persons per municipality, valid codes, approved plans with 2–4 goals in the person's
own words, the demo users linked as the contract says, and a second run writes nothing."""

import io

from django_tenants.utils import tenant_context

from portal.budgets.people import access
from portal.budgets.people import personal_code as pc
from portal.budgets.people.models import Person, Relation, SupportPlan
from portal.demo.people import load
from portal.tenants.roles import Role

from .conftest import MUNICIPALITY_A, demo_user


def test_demo_persons_plans_and_links(muni_a):
    with tenant_context(muni_a):
        persons = list(Person.objects.all())
        assert sum(p.target_group == "children" for p in persons) >= 8
        assert sum(p.target_group == "adults" for p in persons) >= 8
        assert all(pc.is_valid(p.personal_code) for p in persons)
        assert any(pc.is_new_format(p.personal_code) for p in persons)
        for plan in SupportPlan.objects.filter(status="approved").prefetch_related("goals"):
            goals = list(plan.goals.all())
            assert 2 <= len(goals) <= 4 and sum(g.share_percent for g in goals) == 100
        worker = demo_user(Role.SOCIAL_WORKER, MUNICIPALITY_A)
        me = Person.objects.get(user=demo_user(Role.PERSON, MUNICIPALITY_A))
        assert me.target_group == "adults" and me.social_worker == worker
        child = Relation.objects.get(user=demo_user(Role.LEGAL_REPRESENTATIVE, MUNICIPALITY_A)).person
        assert child.target_group == "children"
        support = Relation.objects.get(user=demo_user(Role.SUPPORT_PERSON, MUNICIPALITY_A))
        assert support.person == me and support.kind == "support_person"
        assert access.acting_capacity(support.user, me) == "support_person"


def test_demo_is_idempotent(muni_a):
    with tenant_context(muni_a):
        before = Person.objects.count()
        out = io.StringIO()
        load(muni_a, out)
        assert Person.objects.count() == before and "already" in out.getvalue()
