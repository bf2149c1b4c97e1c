"""Reads for persons, assessments and plans. Callers get the person through ``access.person_for_user``
first; these functions do not check access themselves."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet, Value

from django.apps import apps

from django.utils import timezone

from portal.platform.core.models import AuditEvent
from portal.platform.core.reads import everything_about
from portal.tenants.roles import Role

from . import personal_code as pc
from .access import persons_for_user, withdrawn_consents
from .models import Assessment, Consent, Fold, Goal, Person, Relation, SearchName, SupportPlan, TargetGroup


def person_search(user, *, query: str = "", target_group: str = "") -> QuerySet[Person]:
    """Persons ``user`` may see, filtered by name or personal code and by target group."""
    persons = persons_for_user(user).select_related("social_worker")
    query = (query or "").strip()
    digits = pc.compact(query)
    if digits.isdigit():
        # A personal code (or its start): served by the unique index's range scan.
        prefix = f"{digits[:6]}-{digits[6:11]}" if len(digits) > 6 else digits
        persons = persons.filter(personal_code__startswith=prefix)
    elif query:
        # Every word somewhere in the unaccented, upper-case full name: "berzina ilze" finds "Ilze Bērziņa".
        # The trigram index on the same expression (migration 0002) serves it.
        persons = persons.annotate(search_name=SearchName("first_name", "last_name"))
        for word in query.split()[:5]:
            persons = persons.filter(search_name__contains=Fold(Value(word)))
    if target_group in TargetGroup.values:
        persons = persons.filter(target_group=target_group)
    return persons.order_by("last_name", "first_name", "id")


def plans_of(person: Person) -> QuerySet[SupportPlan]:
    """Every version of the person's plans, newest first, with goals and their service types."""
    goals = Goal.objects.prefetch_related("service_types").order_by("position", "id")
    return (person.plans.select_related("assessment", "approved_by", "reviewed_by")
            .prefetch_related(Prefetch("goals", queryset=goals)).order_by("-version"))


def current_plan(person: Person) -> SupportPlan | None:
    """The approved plan in force, if any."""
    return plans_of(person).filter(status=SupportPlan.Status.APPROVED).first()


def plan_for_person(person: Person, plan_id) -> SupportPlan | None:
    try:
        return plans_of(person).filter(pk=int(plan_id)).first()
    except (TypeError, ValueError):
        return None


def assessments_of(person: Person) -> QuerySet[Assessment]:
    return person.assessments.prefetch_related("documents").order_by("-assessed_on", "-id")


def latest_assessment(person: Person) -> Assessment | None:
    return person.assessments.order_by("-assessed_on", "-id").first()


def relations_of(person: Person) -> QuerySet[Relation]:
    return person.relations.select_related("user").order_by("kind", "id")


def represented_persons(user) -> QuerySet[Person]:
    """Persons the family-side ``user`` acts for or supports here (their own record first)."""
    return persons_for_user(user).order_by("last_name", "first_name")


def who_looked(person: Person, *, limit: int = 200) -> list[dict]:
    """Who read the person's data, in plain words (newest first): when, the reader's roles and organisation,
    and what kinds of records. The person's own reads are left out (they are not recorded)."""
    rows = (AuditEvent.objects.filter(action=AuditEvent.Action.VIEW, changes__persons__contains=[person.pk])
            .order_by("-at", "-pk")[:limit])
    looked = []
    for row in rows:
        if person.user_id is not None and row.actor_id == person.user_id:
            continue
        what = []
        for label in row.changes.get("read", {}):
            try:
                what.append(str(apps.get_model(label)._meta.verbose_name_plural))
            except (LookupError, ValueError):
                continue
        roles = [str(Role(r).label) for r in row.changes.get("roles", []) if r in Role.values]
        looked.append({"at": row.at, "roles": roles, "organisation": row.changes.get("organisation", ""),
                       "what": what})
    return looked


def person_export(person: Person) -> dict:
    """Everything held about the person here, for the person, their representative or on request (GDPR art. 15
    and 20): every personal record type, and who looked at the data."""
    return {"person": {"id": person.pk, "name": person.full_name}, "generated_at": timezone.now(),
            "records": everything_about(person.pk),
            "who_looked": [{**row, "at": row["at"]} for row in who_looked(person, limit=1000)]}


def users_without_email_consent(user_ids) -> set[int]:
    """Of these users, those whose own person record here has its consent to contact by e-mail withdrawn:
    they are told on the page only."""
    return set(Person.objects.filter(user_id__in=list(user_ids), pk__in=withdrawn_consents(
        Consent.Kind.CONTACT_BY_EMAIL)).values_list("user_id", flat=True))


def consent_withdrawn(person: Person, kind: str) -> bool:
    """Has the person withdrawn the consent of ``kind`` (their latest record of it is withdrawn)? The processing
    it covers then stops: the services covering it ask this before they act."""
    latest = Consent.objects.filter(person=person, kind=kind).order_by("-given_on", "-pk").first()
    return latest is not None and latest.withdrawn_on is not None
