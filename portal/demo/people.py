"""Demo data for people: about 8 children and 8 adults per pilot municipality (≈ 100 of each over the
13 pilots), with valid personal codes, a needs assessment and an approved plan whose 2–4 goals are in the
person's own words; plus the demo users' links (own record, represented child, supported adult).

Budgets for the approved plans come from the ledger's loader, which runs next. Idempotent: a municipality
that already has persons is left as it is.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from portal.budgets.people import personal_code as pc
from portal.budgets.people.assessments import child_level, sis_level
from portal.budgets.people.models import (CHILD_DOMAINS, SIS_SUBSCALES, Assessment, Consent, DisabilityGroup, Goal,
                                          Person, Relation, SupportPlan, TargetGroup)
from portal.budgets.people.plans import add_months
from portal.marketplace.catalogue.models import ServiceType
from portal.platform.accounts.models import User
from portal.tenants.roles import Role

from .users import MUNICIPAL_DEMO_USERS, municipal_email

CHILDREN_PER_MUNICIPALITY = 8
# The ministry's statistics tell a story: every planning region reaches the pilot's 20 children except
# Latgale (14). Jelgava and Liepāja (the test municipalities) keep the default.
CHILDREN_IN = {"bauska": 13, "talsi": 13, "rezekne": 5, "balvi": 4, "daugavpils": 5, "valmiera": 6, "madona": 5,
               "cesis": 5, "gulbene": 6, "ogre": 11, "tukums": 10}
ADULTS_PER_MUNICIPALITY = 8

MALE = ["Andris", "Jānis", "Pēteris", "Mārtiņš", "Kristaps", "Edgars", "Raivis", "Artūrs", "Roberts", "Dāvis",
        "Emīls", "Oskars", "Rihards", "Gustavs", "Markuss", "Niks", "Toms", "Ralfs", "Valdis", "Aigars"]
FEMALE = ["Anna", "Laura", "Elza", "Marta", "Sofija", "Emīlija", "Līga", "Ieva", "Inese", "Dace", "Kristīne",
          "Zane", "Agnese", "Linda", "Evelīna", "Paula", "Alise", "Rūta", "Santa", "Baiba"]
# (masculine, feminine) surname forms.
SURNAMES = [("Bērziņš", "Bērziņa"), ("Kalniņš", "Kalniņa"), ("Ozoliņš", "Ozoliņa"), ("Jansons", "Jansone"),
            ("Ozols", "Ozola"), ("Liepiņš", "Liepiņa"), ("Krūmiņš", "Krūmiņa"), ("Balodis", "Balode"),
            ("Eglītis", "Eglīte"), ("Zariņš", "Zariņa"), ("Pētersons", "Pētersone"), ("Vītols", "Vītola"),
            ("Kļaviņš", "Kļaviņa"), ("Lūsis", "Lūse"), ("Siliņš", "Siliņa"), ("Kārkliņš", "Kārkliņa"),
            ("Vanags", "Vanaga"), ("Grīnbergs", "Grīnberga"), ("Lapiņš", "Lapiņa"), ("Zvaigzne", "Zvaigzne")]
STREETS = ["Lielā iela", "Pasta iela", "Rīgas iela", "Skolas iela", "Dārza iela", "Brīvības iela", "Ozolu iela",
           "Liepu iela", "Meža iela", "Upes iela"]
# Approximate centres of the pilot municipalities, for coordinates near home.
CENTRES = {
    "jelgava": (56.6511, 23.7214), "bauska": (56.4079, 24.1944), "liepaja": (56.5047, 21.0108),
    "talsi": (57.2447, 22.5889), "rezekne": (56.5099, 27.3331), "balvi": (57.1313, 27.2653),
    "daugavpils": (55.8747, 26.5362), "valmiera": (57.5411, 25.4275), "madona": (56.8539, 26.2170),
    "cesis": (57.3119, 25.2706), "gulbene": (57.1775, 26.7527), "ogre": (56.8162, 24.6140),
    "tukums": (56.9669, 23.1553),
}
TOWNS = {
    "jelgava": "Jelgava", "bauska": "Bauska", "liepaja": "Liepāja", "talsi": "Talsi", "rezekne": "Rēzekne",
    "balvi": "Balvi", "daugavpils": "Daugavpils", "valmiera": "Valmiera", "madona": "Madona", "cesis": "Cēsis",
    "gulbene": "Gulbene", "ogre": "Ogre", "tukums": "Tukums",
}

# Goals in the person's (or the family's) own words, with the service types that serve them.
CHILD_GOALS = [
    ("Gribu pats apģērbties no rīta un aiziet uz skolu.", ["ergotherapy", "psychosocial-rehab-children"]),
    ("Mēs gribam, lai mūsu bērns var pateikt, ko viņš vēlas, ar vārdiem vai attēliem.", ["speech-therapy"]),
    ("Mamma grib reizi nedēļā vienu vakaru atpūsties, kamēr kāds pieskata mani.", ["respite-care"]),
    ("Gribu iemācīties braukt ar velosipēdu kopā ar brāli.", ["physiotherapy"]),
    ("Gribu draudzēties ar citiem bērniem un mazāk dusmoties.", ["psychologist", "psychosocial-rehab-children"]),
    ("Mēs kā ģimene gribam saprast, kā palīdzēt meitai ar autismu ikdienā.", ["psychologist"]),
    ("Gribu pats paēst ar karoti un dzert no krūzes.", ["ergotherapy"]),
    ("Gribu apmeklēt pulciņu pēc skolas kopā ar citiem.", ["day-care", "transport"]),
]
ADULT_GOALS = [
    ("Es gribu dzīvot savā dzīvoklī un pats gatavot vakariņas.", ["home-care", "social-rehab"]),
    ("Es gribu strādāt darbnīcā un nopelnīt savu naudu.", ["specialised-workshop", "transport"]),
    ("Es gribu pats aiziet uz veikalu un samaksāt par pirkumiem.", ["social-rehab"]),
    ("Es gribu satikt draugus dienas centrā vismaz divas reizes nedēļā.", ["day-care", "transport"]),
    ("Es gribu pats izlemt, kā tērēt savu naudu, ar cilvēku, kas man palīdz saprast.", ["decision-support"]),
    ("Es gribu mazāk uztraukties un labāk gulēt.", ["psychologist"]),
    ("Es gribu iemācīties braukt ar autobusu uz pilsētu.", ["social-rehab", "transport"]),
    ("Es gribu dzīvot kopā ar draugiem grupu dzīvoklī.", ["group-apartment"]),
]
SHARES = {2: ["60.00", "40.00"], 3: ["50.00", "30.00", "20.00"], 4: ["40.00", "25.00", "20.00", "15.00"]}
ALL_SECTIONS = ["contacts", "assessment", "plan", "budget", "agreements"]


def _demo_users(code):
    by_role = {}
    emails = {role: municipal_email(local, code) for role, local, _name in MUNICIPAL_DEMO_USERS}
    users = {u.email: u for u in User.objects.filter(email__in=emails.values())}
    for role, email in emails.items():
        by_role[role] = users.get(email)
    return by_role, Role


def _birth_date(rng, today, child: bool) -> dt.date:
    age_days = rng.randint(3 * 365, 17 * 365) if child else rng.randint(19 * 365, 64 * 365)
    return today - dt.timedelta(days=age_days)


def _person(rng, code, index, serial, child, today, worker, *, first=None, last=None, female=None, user=None):
    female = rng.random() < 0.5 if female is None else female
    first = first or rng.choice(FEMALE if female else MALE)
    last = last or rng.choice(SURNAMES)[1 if female else 0]
    birth = _birth_date(rng, today, child)
    lat, lon = CENTRES.get(code, (56.95, 24.1))
    decided = today - dt.timedelta(days=rng.randint(60, 700))
    group = DisabilityGroup.CHILD if child else rng.choice([DisabilityGroup.GROUP_1, DisabilityGroup.GROUP_2])
    # Deinstitutionalisation: every fourth adult came to the community from an institution (no draw from
    # ``rng``, so the rest of the demo stays as it was).
    left_institution = not child and index % 4 == 1
    personal_code = pc.make_new(serial) if index % 5 == 4 else pc.make_old(birth, serial)
    if pc.birth_date_of(personal_code) not in (None, birth):
        birth = pc.birth_date_of(personal_code)
    return Person(
        first_name=first, last_name=last, personal_code=personal_code, birth_date=birth,
        target_group=TargetGroup.CHILDREN if child else TargetGroup.ADULTS, disability_group=group,
        disability_decision_number=f"VDEĀVK-{decided.year}-{serial:05d}", disability_decided_on=decided,
        disability_valid_from=decided, disability_valid_until=None if not child else add_months(decided, 36),
        left_institution=left_institution,
        left_institution_on=decided - dt.timedelta(days=30 + 7 * index) if left_institution else None,
        address=f"{rng.choice(STREETS)} {rng.randint(1, 80)}, {TOWNS.get(code, code.title())}",
        latitude=Decimal(str(round(lat + rng.uniform(-0.03, 0.03), 6))),
        longitude=Decimal(str(round(lon + rng.uniform(-0.05, 0.05), 6))),
        phone=f"+371 2{rng.randint(0, 9999999):07d}", email="" if child else "",
        preferred_language="ru" if rng.random() < 0.15 else "lv", user=user, social_worker=worker)


def load(municipality, out):
    """Persons, assessments and approved plans for one municipality (idempotent)."""
    code = municipality.code
    if Person.objects.exists():
        if out is not None:
            print(f"  people: {code} already has {Person.objects.count()} persons", file=out, flush=True)
        return
    rng = random.Random(f"people-{code}")
    today = timezone.localdate()
    users, Role = _demo_users(code)
    worker = users.get(Role.SOCIAL_WORKER)
    types = {t.code: t for t in ServiceType.objects.all()}
    base = (sum(map(ord, code)) % 90) * 1000  # distinct serials per municipality
    children = CHILDREN_IN.get(code, CHILDREN_PER_MUNICIPALITY)
    with transaction.atomic():
        persons = []
        for i in range(children):
            persons.append(_person(rng, code, i, base + i, True, today, worker))
        for i in range(ADULTS_PER_MUNICIPALITY):
            persons.append(_person(rng, code, i, base + 500 + i, False, today, worker))
        # The demo users: the "person" user is the first adult; the legal representative's child is the
        # first child (same surname); the support person supports the first adult.
        person_user = users.get(Role.PERSON)
        adult = persons[children]
        if person_user is not None:
            adult.first_name, adult.last_name = person_user.full_name.split(" ", 1)
            adult.user, adult.email = person_user, person_user.email
        rep = users.get(Role.LEGAL_REPRESENTATIVE)
        if rep is not None:
            persons[0].last_name = rep.full_name.split(" ", 1)[1]
            persons[0].first_name = "Elza"
        Person.objects.bulk_create(persons)

        relations = []
        if rep is not None:
            relations.append(Relation(person=persons[0], user=rep, kind=Relation.Kind.LEGAL_REPRESENTATIVE,
                                      basis=Relation.Basis.PARENT, valid_from=persons[0].birth_date,
                                      created_by=worker))
        supporter = users.get(Role.SUPPORT_PERSON)
        if supporter is not None:
            relations.append(Relation(person=adult, user=supporter, kind=Relation.Kind.SUPPORT_PERSON,
                                      basis=Relation.Basis.SUPPORT_AGREEMENT, may_see=["plan", "budget"],
                                      valid_from=today - dt.timedelta(days=200), created_by=worker))
        Relation.objects.bulk_create(relations)

        assessments, plans, consents = [], [], []
        for person in persons:
            start = add_months(today.replace(day=1), -rng.randint(1, 5))
            months = rng.choice([6, 9, 12, 12, 12])
            if add_months(start, months) <= today:
                months = 12
            assessed = start - dt.timedelta(days=rng.randint(10, 40))
            if person.is_child:
                scores = {k: rng.randint(0, 4) for k in CHILD_DOMAINS}
                level, kind, med, beh = child_level(scores), Assessment.Kind.CHILD_FUNCTIONAL, 0, 0
            else:
                scores = {k: rng.randint(4, 16) for k in SIS_SUBSCALES}
                med, beh = rng.randint(0, 8), rng.randint(0, 8)
                level, kind = sis_level(scores, med, beh), Assessment.Kind.SIS
            assessments.append(Assessment(
                person=person, kind=kind, scores=scores, medical_needs=med, behavioural_needs=beh, level=level,
                summary="", assessor=worker, assessor_name=worker.full_name if worker else "Ilze Bērziņa",
                assessed_on=assessed, valid_until=add_months(assessed, 24)))
            agreed_name = (rep.full_name if person is persons[0] and rep else
                           "Likumiskais pārstāvis" if person.is_child else person.full_name)
            now = timezone.now()
            plans.append(SupportPlan(
                person=person, version=1, period_start=start,
                period_end=add_months(start, months) - dt.timedelta(days=1), status=SupportPlan.Status.APPROVED,
                agreed_by=person.user or (rep if person is persons[0] else None), agreed_by_name=agreed_name,
                agreed_capacity="legal_representative" if person.is_child else "self", agreed_at=now,
                approved_by=worker, approved_at=now, created_by=worker))
            consents.append(Consent(person=person, kind=Consent.Kind.DATA_PROCESSING, given_on=assessed,
                                    given_by_name=agreed_name, given_by_capacity=plans[-1].agreed_capacity,
                                    recorded_by=worker))
            consents.append(Consent(person=person, kind=Consent.Kind.SPECIAL_CATEGORY, given_on=assessed,
                                    given_by_name=agreed_name, given_by_capacity=plans[-1].agreed_capacity,
                                    recorded_by=worker))
        Assessment.objects.bulk_create(assessments)
        for plan, assessment in zip(plans, assessments):
            plan.assessment = assessment
        SupportPlan.objects.bulk_create(plans)
        Consent.objects.bulk_create(consents)

        goals, goal_types = [], []
        for plan in plans:
            pool = CHILD_GOALS if plan.person.is_child else ADULT_GOALS
            count = rng.randint(2, 4)
            chosen = rng.sample(pool, count)
            if plan.person is adult:  # the support person's own service is on the supported adult's plan
                chosen = [ADULT_GOALS[4], *[g for g in chosen if g is not ADULT_GOALS[4]]][:count]
            for position, ((text, codes), share) in enumerate(zip(chosen, SHARES[count])):
                goal = Goal(plan=plan, position=position, text=text, share_percent=Decimal(share))
                goals.append(goal)
                goal_types.append([types[c] for c in codes if c in types])
        Goal.objects.bulk_create(goals)
        through = Goal.service_types.through
        through.objects.bulk_create([through(goal_id=g.pk, servicetype_id=t.pk)
                                     for g, ts in zip(goals, goal_types) for t in ts])
    if out is not None:
        print(f"  people: {code} {children} children, {ADULTS_PER_MUNICIPALITY} adults "
              f"with approved plans ({connection.schema_name})", file=out, flush=True)
