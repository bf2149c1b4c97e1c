"""Demo data: the pilot municipalities of DOMAIN.md and a log-in for every role (``users``).

Idempotent: running it again changes nothing and takes seconds. Each area's demo data is a module of
this package, run through ``PUBLIC_DEMO_LOADERS`` (once) and ``DEMO_LOADERS`` (per municipality).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django_tenants.utils import tenant_context

from portal.tenants.models import Municipality, name_genitive
from portal.tenants.provisioning import ensure_national_site, municipality_provision
from portal.tenants.roles import Role

from . import (agreements, approvals, catalogue, invoicing, ledger, notifications, payments, people, period, registry,
               search, showcase, statistics, stripe_connect)
from .users import (DEMO_PASSWORD, MUNICIPAL_DEMO_USERS, NATIONAL_DEMO_USERS, ensure_membership, ensure_user,
                    municipal_email)


@dataclass(frozen=True)
class Pilot:
    code: str
    name: str
    region: str
    social_service: str
    phone: str


# The pilot municipalities of the children's and adults' IB pilots (seed 002),
# in the planning regions they belonged to during the pilots.
PILOTS = [
    Pilot("jelgava", "Jelgavas valstspilsēta", "zemgale", "Jelgavas sociālo lietu pārvalde", "+371 63 000 001"),
    Pilot("bauska", "Bauskas novads", "zemgale", "Bauskas novada Sociālais dienests", "+371 63 000 002"),
    Pilot("liepaja", "Liepājas valstspilsēta", "kurzeme", "Liepājas Sociālais dienests", "+371 63 000 003"),
    Pilot("talsi", "Talsu novads", "kurzeme", "Talsu novada Sociālais dienests", "+371 63 000 004"),
    Pilot("rezekne", "Rēzeknes valstspilsēta", "latgale", "Rēzeknes Sociālais dienests", "+371 64 000 005"),
    Pilot("balvi", "Balvu novads", "latgale", "Balvu novada Sociālais dienests", "+371 64 000 006"),
    Pilot("daugavpils", "Daugavpils valstspilsēta", "latgale", "Daugavpils pilsētas Sociālais dienests",
          "+371 65 000 007"),
    Pilot("valmiera", "Valmieras novads", "vidzeme", "Valmieras novada Sociālais dienests", "+371 64 000 008"),
    Pilot("madona", "Madonas novads", "vidzeme", "Madonas novada Sociālais dienests", "+371 64 000 009"),
    Pilot("cesis", "Cēsu novads", "vidzeme", "Cēsu novada Sociālais dienests", "+371 64 000 010"),
    Pilot("gulbene", "Gulbenes novads", "vidzeme", "Gulbenes novada Sociālais dienests", "+371 64 000 011"),
    Pilot("ogre", "Ogres novads", "riga", "Ogres novada Sociālais dienests", "+371 65 000 012"),
    Pilot("tukums", "Tukuma novads", "riga", "Tukuma novada Sociālais dienests", "+371 63 000 013"),
]

# Each feature's demo data, in dependency order. Public loaders ``load_public(out)`` run once on the
# public schema; municipal loaders ``load(municipality, out)`` run inside each municipality's schema.
PUBLIC_DEMO_LOADERS = [
    catalogue.load_public,
    registry.load_public,
    search.load_public,
    stripe_connect.load_public,
]
DEMO_LOADERS = [
    approvals.load,
    people.load,
    ledger.load,
    agreements.load,
    invoicing.load,
    payments.load,
    period.load,
    notifications.load,
    showcase.load,  # the newest features, in one municipality (portal/demo/showcase.py)
]


def _say(out, message):
    if out is not None:
        print(message, file=out, flush=True)


def load_demo(*, out=None, pilots: list[Pilot] | None = None) -> list[Municipality]:
    """Provision the pilots and their demo users; run every feature's demo loader."""
    pilots = PILOTS if pilots is None else pilots
    ensure_national_site(out=out)
    password_hash = make_password(DEMO_PASSWORD)  # hashed once: Argon2 is slow on purpose
    municipalities = []
    for index, pilot in enumerate(pilots, start=1):
        started = time.perf_counter()
        result = municipality_provision(
            code=pilot.code, name=pilot.name, region=pilot.region, out=out,
            social_service_name=pilot.social_service, phone=pilot.phone, name_genitive=name_genitive(pilot.name),
            email=f"socialais.dienests@{pilot.code}.{settings.PORTAL_BASE_DOMAIN}")
        municipality = result.municipality
        municipalities.append(municipality)
        with transaction.atomic():
            for role, local, name in MUNICIPAL_DEMO_USERS:
                user = ensure_user(municipal_email(local, pilot.code), name, password_hash)
                ensure_membership(user, role, municipality)
        state = f"created by {result.method}" if result.created else "already there"
        _say(out, f"• [{index:2d}/{len(pilots)}] {pilot.name}: {state} ({time.perf_counter() - started:.2f} s)")
    with transaction.atomic():
        for role, email, name in NATIONAL_DEMO_USERS:
            staff = role == Role.PLATFORM_ADMIN
            user = ensure_user(email, name, password_hash, is_staff=staff, is_superuser=staff)
            ensure_membership(user, role, None)
    connection.set_schema_to_public()
    for load_public in PUBLIC_DEMO_LOADERS:
        load_public(out)
    for loader in DEMO_LOADERS:
        for municipality in municipalities:
            with tenant_context(municipality):
                loader(municipality, out)
    connection.set_schema_to_public()
    statistics.load_all(out)  # the ministry's figures, built from every municipality's schema at the end
    return municipalities


def print_logins(*, host: str = "127.0.0.1", port: int = 8000, out=None) -> None:
    base = settings.PORTAL_BASE_DOMAIN
    suffix = "" if port == 80 else f":{port}"
    lines = [
        "SBS portal — demo",
        f"  National site:     http://{base}{suffix}/   (also http://{host}{suffix}/)",
        "  Municipalities:    " + ", ".join(f"http://{p.code}.{base}{suffix}/" for p in PILOTS[:3]) + ", …",
        f"  API docs:          http://{base}{suffix}/api/docs/",
        "  Browsers resolve *.localhost to 127.0.0.1 by themselves; for curl use --resolve or the Host header.",
        "",
        f"  Every demo account's password: {DEMO_PASSWORD}",
        "  National site:",
    ]
    lines += [f"    {str(role.label):<38} {email}" for role, email, _ in NATIONAL_DEMO_USERS]
    lines.append(f"  Each municipality, e.g. http://jelgava.{base}{suffix}/ (replace “jelgava” with any code):")
    lines += [f"    {str(role.label):<38} {municipal_email(local, 'jelgava')}" for role, local, _ in MUNICIPAL_DEMO_USERS]
    lines.append("  Codes: " + ", ".join(p.code for p in PILOTS))
    print("\n".join(str(line) for line in lines), file=out, flush=True)
