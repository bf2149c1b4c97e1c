"""People benchmark: the social worker's person search and the personal-code validator.

`python tests/bench/bench_people.py [--quick]` (or `./run bench people`).

Fills one municipality with 20 000 persons (2 000 with --quick), then times the
person list as the page runs it (search selector + count + first page of 25 +
the audit row) for a name, an accent-less name, a personal-code prefix and a
target-group filter; and the validator on 100 000 codes.

Runs on its own database (PORTAL_DB_NAME=portal_bench_people) on the embedded
server of PORTAL_DATA_DIR, in a municipality "benchpeople" it provisions once.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from tests.bench.run import bench_municipalities, table  # noqa: E402  (one table format for every benchmark)
os.environ.setdefault("PORTAL_DB_NAME", "portal_bench_people")
os.environ.setdefault("PORTAL_QUIET", "1")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.platform.settings")

CODE = "benchpeople"




def _setup():
    return bench_municipalities((CODE, "People benchmark"))[0]


def _fill(count: int) -> None:
    from portal.budgets.people import personal_code as pc
    from portal.demo.people import FEMALE, MALE, SURNAMES
    from portal.budgets.people.models import Person

    have = Person.objects.count()
    if have >= count:
        return
    rng = random.Random(7)
    batch, seen = [], set(Person.objects.values_list("personal_code", flat=True))
    today = dt.date.today()
    while have + len(batch) < count:
        child = rng.random() < 0.5
        birth = today - dt.timedelta(days=rng.randint(3 * 365, 17 * 365) if child else rng.randint(19 * 365, 80 * 365))
        code = pc.make_old(birth, rng.randint(0, 999))
        if code in seen:
            continue
        seen.add(code)
        female = rng.random() < 0.5
        batch.append(Person(first_name=rng.choice(FEMALE if female else MALE),
                            last_name=rng.choice(SURNAMES)[1 if female else 0], personal_code=code,
                            birth_date=birth, target_group="children" if child else "adults",
                            disability_group="child" if child else "group_2"))
        if len(batch) == 2000:
            Person.objects.bulk_create(batch)
            have, batch = have + len(batch), []
    Person.objects.bulk_create(batch)


def _worker_user(municipality):
    from portal.platform.accounts.models import User
    from portal.tenants.models import Membership
    from portal.tenants.roles import Role

    user, _ = User.objects.get_or_create(email="bench.people@bench.localhost", defaults={"full_name": "Bench"})
    Membership.objects.get_or_create(user=user, role=Role.SOCIAL_WORKER, municipality=municipality)
    return User.objects.get(pk=user.pk)


def _time_search(user, runs: int, **params) -> tuple[float, float, int]:
    from django.core.paginator import Paginator

    from portal.budgets.people import selectors, services

    samples, found = [], 0
    for _ in range(runs):
        started = time.perf_counter()
        page = Paginator(selectors.person_search(user, **params), 25).get_page(1)
        rows = list(page)
        found = page.paginator.count
        services.persons_listed(actor=user, query=params.get("query", ""), count=found)
        samples.append((time.perf_counter() - started) * 1000)
        assert len(rows) <= 25
    samples.sort()
    return statistics.median(samples), samples[max(0, int(len(samples) * 0.95) - 1)], found


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    persons = 2_000 if args.quick else 20_000
    runs = 20 if args.quick else 100
    municipality = _setup()
    from django.db import connection

    connection.set_tenant(municipality)
    started = time.perf_counter()
    _fill(persons)
    fill_s = time.perf_counter() - started
    user = _worker_user(municipality)
    from portal.budgets.people.models import Person

    sample = Person.objects.order_by("id").first()
    rows = []
    for label, params in [
        ("name (“Bērziņa”)", {"query": "Bērziņa"}),
        ("name without accents (“berzina”)", {"query": "berzina"}),
        ("first + last name", {"query": f"{sample.first_name} {sample.last_name}"}),
        ("personal-code prefix (6 digits)", {"query": sample.personal_code[:6]}),
        ("target group = children", {"target_group": "children"}),
        ("no filter (first page)", {}),
    ]:
        p50, p95, found = _time_search(user, runs, **params)
        rows.append([label, found, f"{p50:.1f} ms", f"{p95:.1f} ms"])
    table(f"Person list: search + count + first page of 25 + audit row ({Person.objects.count()} persons, "
          f"{runs} runs each; fill {fill_s:.1f} s)", ["search", "found", "p50", "p95"], rows)

    from portal.budgets.people import personal_code as pc

    rng = random.Random(3)
    codes = [pc.make_old(dt.date(1950, 1, 1) + dt.timedelta(days=rng.randint(0, 25000)), rng.randint(0, 999))
             for _ in range(100_000)]
    started = time.perf_counter()
    valid = sum(pc.is_valid(c) for c in codes)
    elapsed = time.perf_counter() - started
    table("Personal-code validator", ["codes", "valid", "per second"],
          [[len(codes), valid, f"{len(codes) / elapsed:,.0f}"]])
    return 0


if __name__ == "__main__":
    sys.exit(main())
