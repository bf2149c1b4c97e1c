"""Provider registry, service taxonomy and service offerings (public schema).

One provider registers once and is listed in every municipality that approves
it (the approval and price caps live in each municipality's schema, see
``portal.marketplace.approvals``).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from portal.platform.core.choices import Language, TargetGroup

from . import validators


def _lv_or_en(obj, stem: str) -> str:
    """The active language's text, falling back to Latvian when the English one is empty."""
    lang = (get_language() or "lv")[:2]
    value = getattr(obj, f"{stem}_{lang}", "") if lang in ("lv", "en") else ""
    return value or getattr(obj, f"{stem}_lv", "")


class Unit(models.TextChoices):
    HOUR = "hour", _("hour")
    SESSION = "session", _("session")
    DAY = "day", _("day")
    COURSE = "course", _("course")


class DeliveryMode(models.TextChoices):
    HOME = "home", _("At home")
    PROVIDER = "provider", _("At the provider")
    ONLINE = "online", _("Online")


class LegalForm(models.TextChoices):
    ASSOCIATION = "association", _("Association (biedrība)")
    FOUNDATION = "foundation", _("Foundation (nodibinājums)")
    LIMITED_COMPANY = "sia", _("Limited liability company (SIA)")
    JOINT_STOCK = "as", _("Joint-stock company (AS)")
    SOLE_TRADER = "ik", _("Sole trader (IK)")
    MUNICIPAL_BODY = "municipal", _("Municipal institution")
    OTHER = "other", _("Other")


# Accessibility of premises: the same flags on a provider and on each location.
# Free text shown in search, HSDS and the invoice PDF: long enough for a real description, no longer.
DESCRIPTION_MAX = 5000
ACCESSIBILITY_FIELDS = ("step_free_access", "accessible_toilet", "accessible_parking", "hearing_loop",
                        "easy_read")


class AccessibilityMixin(models.Model):
    step_free_access = models.BooleanField(_("step-free entrance (ramp or lift)"), default=False)
    accessible_toilet = models.BooleanField(_("accessible toilet"), default=False)
    accessible_parking = models.BooleanField(_("accessible parking"), default=False)
    hearing_loop = models.BooleanField(_("hearing loop"), default=False)
    easy_read = models.BooleanField(_("easy-read information"), default=False)
    accessibility_notes = models.CharField(_("other accessibility notes"), max_length=300, blank=True)

    class Meta:
        abstract = True

    @property
    def accessibility_features(self) -> list[str]:
        return [name for name in ACCESSIBILITY_FIELDS if getattr(self, name)]


class ServiceType(models.Model):
    """One kind of community-based service (the taxonomy, seeded by a data migration)."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name_lv = models.CharField(_("name in Latvian"), max_length=150)
    name_en = models.CharField(_("name in English"), max_length=150)
    description_lv = models.TextField(_("description in Latvian"), blank=True)
    description_en = models.TextField(_("description in English"), blank=True)
    default_unit = models.CharField(_("default unit"), max_length=10, choices=Unit.choices, default=Unit.HOUR)
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("service type")
        verbose_name_plural = _("service types")

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        return _lv_or_en(self, "name")

    @property
    def description(self) -> str:
        return _lv_or_en(self, "description")


class Provider(AccessibilityMixin):
    """An organisation that delivers community-based services."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting verification")
        VERIFIED = "verified", _("Verified")
        SUSPENDED = "suspended", _("Suspended")

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("address name"), max_length=80, unique=True)
    social_register_number = models.CharField(
        _("number in the register of social service providers"), max_length=10, unique=True,
        validators=[validators.validate_social_register_number])
    company_number = models.CharField(
        _("company or NGO register number"), max_length=11, unique=True,
        validators=[validators.validate_company_number])
    legal_form = models.CharField(_("legal form"), max_length=20, choices=LegalForm.choices)
    email = models.EmailField(_("e-mail"))
    phone = models.CharField(_("phone"), max_length=40)
    website = models.URLField(_("website"), blank=True)
    address = models.CharField(_("registered address"), max_length=250)
    description_lv = models.TextField(_("description in Latvian"), max_length=DESCRIPTION_MAX,
                                      validators=[MaxLengthValidator(DESCRIPTION_MAX)])
    description_en = models.TextField(_("description in English"), blank=True, max_length=DESCRIPTION_MAX,
                                      validators=[MaxLengthValidator(DESCRIPTION_MAX)])
    languages = ArrayField(
        models.CharField(max_length=3, choices=Language.choices), verbose_name=_("languages the staff speak"),
        default=list, blank=True)
    municipalities_served = ArrayField(
        models.CharField(max_length=30), verbose_name=_("municipalities served"), default=list, blank=True)
    iban = models.CharField(_("IBAN"), max_length=34, validators=[validators.validate_iban])
    vat_payer = models.BooleanField(_("registered for VAT"), default=False)
    vat_number = models.CharField(_("VAT number"), max_length=13, blank=True,
                                  validators=[validators.validate_vat_number])
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PENDING,
                              db_index=True)
    verified_at = models.DateTimeField(_("verified"), null=True, blank=True)
    verified_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("verified by"), null=True,
                                    blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    modified_at = models.DateTimeField(_("changed"), auto_now=True, db_index=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("provider")
        verbose_name_plural = _("providers")
        indexes = [models.Index(fields=["status", "name"])]
        constraints = [
            models.CheckConstraint(condition=Q(vat_payer=False) | ~Q(vat_number=""),
                                   name="catalogue_provider_vat_number_when_payer"),
        ]

    def __str__(self):
        return self.name

    @property
    def description(self) -> str:
        return _lv_or_en(self, "description")

    @property
    def is_verified(self) -> bool:
        return self.status == self.Status.VERIFIED


class ProviderStaff(models.Model):
    """A user account working for a provider (national role ``provider_staff``)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE,
                             related_name="provider_staff")
    provider = models.ForeignKey(Provider, verbose_name=_("provider"), on_delete=models.CASCADE,
                                 related_name="staff")
    is_owner = models.BooleanField(_("may manage staff"), default=False)
    created_at = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        verbose_name = _("provider staff member")
        verbose_name_plural = _("provider staff")
        constraints = [models.UniqueConstraint(fields=["user", "provider"], name="catalogue_staff_unique")]

    def __str__(self):
        return f"{self.user} @ {self.provider}"


class Location(AccessibilityMixin):
    """A place where the provider delivers services."""

    provider = models.ForeignKey(Provider, verbose_name=_("provider"), on_delete=models.CASCADE,
                                 related_name="locations")
    name = models.CharField(_("name"), max_length=150)
    address = models.CharField(_("address"), max_length=250)
    municipality_code = models.CharField(_("municipality"), max_length=30, db_index=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("location")
        verbose_name_plural = _("locations")
        constraints = [
            models.CheckConstraint(condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90),
                                   name="catalogue_location_latitude_range"),
            models.CheckConstraint(
                condition=Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180),
                name="catalogue_location_longitude_range"),
        ]

    def __str__(self):
        return f"{self.name}, {self.address}"

    @property
    def map_url(self) -> str:
        """A link to an open map centred on the location (no JavaScript, no tracking)."""
        if self.latitude is None or self.longitude is None:
            return ""
        return (f"https://www.openstreetmap.org/?mlat={self.latitude}&mlon={self.longitude}"
                f"#map=16/{self.latitude}/{self.longitude}")


class Service(models.Model):
    """One service a provider offers, at a unit price."""

    provider = models.ForeignKey(Provider, verbose_name=_("provider"), on_delete=models.CASCADE,
                                 related_name="services")
    service_type = models.ForeignKey(ServiceType, verbose_name=_("service type"), on_delete=models.PROTECT,
                                     related_name="services")
    title_lv = models.CharField(_("title in Latvian"), max_length=200)
    title_en = models.CharField(_("title in English"), max_length=200, blank=True)
    description_lv = models.TextField(_("description in Latvian"), max_length=DESCRIPTION_MAX,
                                      validators=[MaxLengthValidator(DESCRIPTION_MAX)])
    description_en = models.TextField(_("description in English"), blank=True, max_length=DESCRIPTION_MAX,
                                      validators=[MaxLengthValidator(DESCRIPTION_MAX)])
    target_groups = ArrayField(models.CharField(max_length=10, choices=TargetGroup.choices),
                               verbose_name=_("target groups"), default=list)
    min_age = models.PositiveSmallIntegerField(_("minimum age"), null=True, blank=True)
    max_age = models.PositiveSmallIntegerField(_("maximum age"), null=True, blank=True)
    delivery_modes = ArrayField(models.CharField(max_length=10, choices=DeliveryMode.choices),
                                verbose_name=_("where it is delivered"), default=list)
    unit = models.CharField(_("unit"), max_length=10, choices=Unit.choices)
    unit_price = models.DecimalField(_("price per unit (EUR)"), max_digits=10, decimal_places=2)
    free_places = models.PositiveIntegerField(_("free places now"), null=True, blank=True)
    waiting_weeks = models.PositiveSmallIntegerField(_("waiting time (weeks)"), null=True, blank=True)
    schedule = models.CharField(_("schedule"), max_length=300, blank=True)
    locations = models.ManyToManyField(Location, verbose_name=_("locations"), blank=True, related_name="services")
    is_active = models.BooleanField(_("offered now"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    modified_at = models.DateTimeField(_("changed"), auto_now=True, db_index=True)

    class Meta:
        ordering = ["provider__name", "title_lv"]
        verbose_name = _("service")
        verbose_name_plural = _("services")
        indexes = [models.Index(fields=["service_type", "is_active"])]
        constraints = [
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="catalogue_service_price_not_negative"),
            models.CheckConstraint(
                condition=Q(min_age__isnull=True) | Q(max_age__isnull=True) | Q(min_age__lte=models.F("max_age")),
                name="catalogue_service_age_range"),
        ]

    def __str__(self):
        return self.title

    def places(self) -> list:
        """Where this service is given from — the one answer the service page, search and distances use: its
        locations, none for a service given only online (never the provider's registered address, which is
        where the organisation is registered). Care at home keeps its locations: the distance still matters."""
        if not set(self.delivery_modes or []) - {DeliveryMode.ONLINE}:
            return []
        return list(self.locations.all())

    @property
    def title(self) -> str:
        return _lv_or_en(self, "title")

    @property
    def description(self) -> str:
        return _lv_or_en(self, "description")

    @property
    def is_full(self) -> bool:
        return self.free_places == 0


class CatalogueChange(models.Model):
    """History: every change to a provider profile or a service (price included), who and when.

    Append-only; ``changes`` maps each field to ``[old, new]`` (as text).
    """

    class Kind(models.TextChoices):
        PROVIDER_CREATED = "provider_created", _("Provider signed up")
        PROVIDER_CHANGED = "provider_changed", _("Profile changed")
        PROVIDER_STATUS = "provider_status", _("Status changed")
        LOCATION = "location", _("Location changed")
        STAFF = "staff", _("Staff changed")
        SERVICE_CREATED = "service_created", _("Service added")
        SERVICE_CHANGED = "service_changed", _("Service changed")
        PRICE_CHANGED = "price_changed", _("Price changed")
        CAPACITY_CHANGED = "capacity_changed", _("Free places or waiting time changed")

    provider = models.ForeignKey(Provider, verbose_name=_("provider"), on_delete=models.CASCADE,
                                 related_name="changes")
    service = models.ForeignKey(Service, verbose_name=_("service"), null=True, blank=True,
                                on_delete=models.CASCADE, related_name="changes")
    kind = models.CharField(_("what"), max_length=20, choices=Kind.choices)
    changes = models.JSONField(_("old and new values"), default=dict, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("who"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    actor_label = models.CharField(_("who"), max_length=254, blank=True)
    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("catalogue change")
        verbose_name_plural = _("catalogue changes")
        indexes = [models.Index(fields=["provider", "-at"])]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.kind}"


class MunicipalListing(models.Model):
    """A copy, in the public schema, of each municipality's decision on a provider — so the provider
    sees every municipality's decision in one query. Written by ``approvals.services`` in the same
    transaction as the decision itself (the tenant schema keeps the authoritative row)."""

    provider = models.ForeignKey(Provider, verbose_name=_("provider"), on_delete=models.CASCADE,
                                 related_name="listings")
    municipality_code = models.CharField(_("municipality"), max_length=30)
    status = models.CharField(_("status"), max_length=12)
    note = models.CharField(_("reason or note"), max_length=500, blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)

    class Meta:
        ordering = ["municipality_code"]
        verbose_name = _("municipal listing")
        verbose_name_plural = _("municipal listings")
        constraints = [models.UniqueConstraint(fields=["provider", "municipality_code"],
                                               name="catalogue_listing_unique")]

    def __str__(self):
        return f"{self.provider_id}@{self.municipality_code}: {self.status}"
