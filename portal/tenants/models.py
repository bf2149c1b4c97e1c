"""Municipalities (tenants), their host names, and who holds which role where.
All of this lives in the public schema."""

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device, TimestampMixin
from django_tenants.models import DomainMixin, TenantMixin

from .roles import MUNICIPAL_ROLES, NATIONAL_ROLES, Role

CODE_VALIDATOR = RegexValidator(
    r"^[a-z][a-z0-9]{1,29}$",
    _("Use 2–30 lower-case Latin letters and digits, starting with a letter (e.g. “jelgava”)."),
    code="invalid_code",
)


class PlanningRegion(models.TextChoices):
    KURZEME = "kurzeme", _("Kurzeme")
    ZEMGALE = "zemgale", _("Zemgale")
    VIDZEME = "vidzeme", _("Vidzeme")
    LATGALE = "latgale", _("Latgale")
    RIGA = "riga", _("Rīga")


def name_genitive(name: str) -> str:
    """The genitive of a municipality's name: only the last word declines ("Jelgavas valstspilsēta" →
    "Jelgavas valstspilsētas", "Bauskas novads" → "Bauskas novada"); a last word of another form stays."""
    head, _space, last = name.rpartition(" ")
    if last.endswith("a") or last.endswith("e"):
        last += "s"
    elif last.endswith("s") and not last.endswith(("is", "us")):
        last = last[:-1] + "a"
    return f"{head} {last}".strip()


class Municipality(TenantMixin):
    """A municipality: its own tenant, its own PostgreSQL schema."""

    name = models.CharField(_("name"), max_length=120)
    name_genitive = models.CharField(
        _("name in the genitive"), max_length=120, blank=True,
        help_text=_("As it reads before another word, e.g. “Jelgavas valstspilsētas” (cenu griesti). "
                    "Empty: formed from the name."))
    code = models.CharField(_("short code"), max_length=30, unique=True, validators=[CODE_VALIDATOR])
    region = models.CharField(_("planning region"), max_length=20, choices=PlanningRegion.choices)
    social_service_name = models.CharField(_("social service"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    address = models.CharField(_("address"), max_length=250, blank=True)
    website = models.URLField(_("website"), blank=True)
    staff_two_factor = models.BooleanField(
        _("staff sign in with a second step"), default=True,
        help_text=_("Social workers, administrators and finance officers confirm each sign-in with a code "
                    "from an authenticator app."))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    auto_create_schema = True
    auto_drop_schema = False

    class Meta:
        ordering = ["name"]
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")

    def __str__(self):
        return self.name

    @property
    def genitive(self) -> str:
        """In Latvian the name as it stands before a noun ("Jelgavas valstspilsētas cenu griesti"); in English,
        where the name is not declined ("price cap of Jelgavas valstspilsēta"), the name."""
        if (get_language() or "lv")[:2] == "en":
            return self.name
        return self.name_genitive or name_genitive(self.name)

    @property
    def is_public(self) -> bool:
        return self.schema_name == settings.PUBLIC_SCHEMA_NAME


class Domain(DomainMixin):
    class Meta:
        verbose_name = _("host name")
        verbose_name_plural = _("host names")


class Membership(models.Model):
    """A user holds a role — in one municipality, or (national roles) on the platform."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships",
                             verbose_name=_("user"))
    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, null=True, blank=True,
                                     related_name="memberships", verbose_name=_("municipality"))
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    created_at = models.DateTimeField(_("since"), auto_now_add=True)
    # A money role granted by one administrator waits for a second one (or the platform administrator):
    # until then it gives no rights (tenants/access.py reads confirmed roles only).
    pending = models.BooleanField(_("awaiting confirmation"), default=False)
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("granted by"))

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "municipality", "role"], name="membership_unique_role",
                                    nulls_distinct=False),
            models.CheckConstraint(
                name="membership_scope_matches_role",
                condition=(Q(role__in=sorted(r.value for r in MUNICIPAL_ROLES), municipality__isnull=False)
                           | Q(role__in=sorted(r.value for r in NATIONAL_ROLES), municipality__isnull=True)),
            ),
        ]
        indexes = [models.Index(fields=["municipality", "role"])]

    def __str__(self):
        where = self.municipality or _("platform")
        return f"{self.user} — {self.get_role_display()} ({where})"


class SignInHandoff(models.Model):
    """A one-time pass that carries a sign-in from one of the platform's hosts to another (ADR 0009).

    Only a digest of the token is kept; the row is deleted when the token is used, and it is
    refused after ``expires_at`` or on any host other than ``host``.
    """

    digest = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    host = models.CharField(max_length=253)
    expires_at = models.DateTimeField(db_index=True)
    # The two-factor device that verified the session it was issued from (django-otp persistent id), or "".
    otp_device = models.CharField(max_length=100, blank=True, default="")
    # The sign-in it continues: the session it opens joins that sign-in's sessions (SignInSession).
    sign_in = models.UUIDField(null=True, blank=True)

    class Meta:
        verbose_name = _("sign-in hand-off")
        verbose_name_plural = _("sign-in hand-offs")


class SignInSession(models.Model):
    """A session one sign-in opened, on one of the platform's hosts (ADR 0009).

    A sign-in with the password starts a new ``sign_in`` id; each hand-off to another host opens a session
    there under the same id. Signing out — or the staff idle time-out — on any of them ends every session of
    that sign-in, found here by the id (O(sessions of that sign-in)), not by reading every session's data.
    """

    sign_in = models.UUIDField(db_index=True)
    session_key = models.CharField(max_length=40, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    host = models.CharField(max_length=253)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    # The sign-in's last activity on any host (written at most once a minute): the staff idle time-out is
    # the sign-in's, so activity on one host keeps the others, and idleness ends them all.
    seen_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("signed-in session")
        verbose_name_plural = _("signed-in sessions")


class SecurityKey(TimestampMixin, Device):
    """A security key or passkey (WebAuthn) that confirms a sign-in as the second step, beside the app.

    A django-otp device, one row per credential: ``name`` is the name its owner gave it, and a session it
    verified holds its ``persistent_id``, so ``is_verified`` and the sign-in hand-off between hosts (ADR 0009)
    treat it as they treat the app. ``rp_id`` is the relying party it was registered for (ADR 0019): the base
    domain, or the host where the base domain cannot be claimed.
    """

    credential_id = models.CharField(max_length=1400, unique=True)  # base64url, as the browser gives it
    public_key = models.BinaryField()  # COSE_Key
    sign_count = models.PositiveBigIntegerField(default=0)
    transports = models.JSONField(default=list, blank=True)
    rp_id = models.CharField(max_length=253)

    class Meta:
        verbose_name = _("security key")
        verbose_name_plural = _("security keys")
        ordering = ["created_at", "id"]
