"""The demo log-ins: one user for every role, in each pilot municipality and on the national site."""

from __future__ import annotations

from django.conf import settings

from portal.platform.accounts.models import User
from portal.tenants.models import Membership, Municipality
from portal.tenants.roles import Role

DEMO_PASSWORD = "demo-parole-2026"

# (role, e-mail local part, full name) for each pilot municipality.
MUNICIPAL_DEMO_USERS = [
    (Role.SOCIAL_WORKER, "socialais.darbinieks", "Ilze Bērziņa"),
    (Role.MUNICIPALITY_ADMIN, "administrators", "Jānis Ozols"),
    (Role.FINANCE_OFFICER, "finanses", "Dace Kalniņa"),
    (Role.PERSON, "persona", "Andris Liepiņš"),
    (Role.LEGAL_REPRESENTATIVE, "likumiskais.parstavis", "Laura Kļaviņa"),
    (Role.SUPPORT_PERSON, "atbalsta.persona", "Pēteris Zariņš"),
]
NATIONAL_DEMO_USERS = [
    (Role.PLATFORM_ADMIN, "admin@sbs.localhost", "Platformas administrators"),
    (Role.MINISTRY_ANALYST, "analitikis@lm.localhost", "Marta Analītiķe"),
    (Role.PROVIDER_STAFF, "sniedzejs@sbs.localhost", "Rita Sniedzēja"),
]


def municipal_email(role_local: str, code: str) -> str:
    return f"{role_local}@{code}.{settings.PORTAL_BASE_DOMAIN}"


def ensure_user(email: str, full_name: str, password_hash: str, **extra) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User(email=email, full_name=full_name, password=password_hash, **extra)
        user.save()
    return user


def ensure_membership(user: User, role: Role, municipality: Municipality | None) -> None:
    Membership.objects.get_or_create(user=user, role=role, municipality=municipality)
