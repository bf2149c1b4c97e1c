"""Persons, the people around them, consents, needs assessments and support plans.

All of it is personal data in the municipality's own schema; disability data
(decision, assessments) is special-category data (GDPR art. 9): every read and
change goes through ``people.services`` / ``people.access`` which audit it.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from portal.platform.core.choices import Language, TargetGroup
from portal.platform.core.reads import personal_data


class DisabilityGroup(models.TextChoices):
    # Adults get a group (I most severe); children get "disability" without a group. Group III stays a
    # choice so the refusal can say why: adults qualify only with group I or II (seed 002).
    GROUP_1 = "group_1", _("Group I (very severe)")
    GROUP_2 = "group_2", _("Group II (severe)")
    GROUP_3 = "group_3", _("Group III (moderate)")
    CHILD = "child", _("Disability of a child")


class SearchName(models.Func):
    """``public.people_search_name(first, last)``: the upper-case, unaccented full name. An IMMUTABLE SQL
    function (migration 0002) so a trigram index can cover it; in the public schema, so every municipality's
    schema (also one cloned from the template) uses the same function."""

    function = "public.people_search_name"
    output_field = models.TextField()


class Fold(models.Func):
    """``public.people_fold(text)``: upper-case and unaccent a search word the same way."""

    function = "public.people_fold"
    output_field = models.TextField()


class Person(models.Model):
    """A budget holder: a child with functional impairments or an adult with mental disabilities."""

    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    personal_code = models.CharField(_("personal code"), max_length=12, unique=True)
    birth_date = models.DateField(_("date of birth"))
    target_group = models.CharField(_("target group"), max_length=10, choices=TargetGroup.choices)
    # Disability decision of the State Medical Commission (VDEĀVK).
    disability_group = models.CharField(_("disability group"), max_length=10, choices=DisabilityGroup.choices)
    disability_decision_number = models.CharField(_("decision number"), max_length=40, blank=True)
    disability_decided_on = models.DateField(_("decision date"), null=True, blank=True)
    disability_valid_from = models.DateField(_("disability valid from"), null=True, blank=True)
    disability_valid_until = models.DateField(_("disability valid until"), null=True, blank=True,
                                              help_text=_("Leave empty if set for life."))
    # Deinstitutionalisation is the scheme's purpose (seeds 000, 004): whether this adult came to live in the
    # community from long-term social care in an institution, and when. The ministry's statistics count it.
    left_institution = models.BooleanField(_("left an institution"), default=False,
                                           help_text=_("Moved from long-term social care in an institution "
                                                       "to life in the community."))
    left_institution_on = models.DateField(_("left the institution on"), null=True, blank=True)
    address = models.CharField(_("address"), max_length=250, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    preferred_language = models.CharField(_("preferred language"), max_length=3, choices=Language.choices,
                                          default=Language.LV)
    # Users live in the public schema, which django-tenants keeps on the search path.
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="person_records", verbose_name=_("own account"))
    social_worker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                      related_name="caseload", verbose_name=_("social worker in charge"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # Retention: when the person's identifying data was replaced (docs/subsystems/privacy.md).
    anonymised_at = models.DateTimeField(_("anonymised"), null=True, blank=True)
    modified_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        ordering = ["last_name", "first_name", "id"]
        verbose_name = _("person")
        verbose_name_plural = _("persons")
        indexes = [
            models.Index(fields=["target_group", "last_name"]),
            GinIndex(OpClass(SearchName("first_name", "last_name"), name="gin_trgm_ops"),
                     name="people_person_name_trgm"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90),
                name="people_person_latitude_range"),
            models.CheckConstraint(
                condition=Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180),
                name="people_person_longitude_range"),
            models.CheckConstraint(
                condition=Q(disability_valid_until__isnull=True) | Q(disability_valid_from__isnull=True)
                | Q(disability_valid_until__gte=models.F("disability_valid_from")),
                name="people_person_disability_validity_order"),
            models.CheckConstraint(
                condition=Q(left_institution_on__isnull=True) | Q(left_institution=True),
                name="people_person_left_institution_date"),
            models.CheckConstraint(
                condition=~Q(target_group="children", left_institution=True),
                name="people_person_left_institution_adults"),
        ]

    def __str__(self):
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def is_child(self) -> bool:
        return self.target_group == TargetGroup.CHILDREN


class Relation(models.Model):
    """Someone who acts for or supports the person, and what they may do or see."""

    class Kind(models.TextChoices):
        LEGAL_REPRESENTATIVE = "legal_representative", _("Legal representative")
        SUPPORT_PERSON = "support_person", _("Support person for decision-making")

    class Basis(models.TextChoices):
        PARENT = "parent", _("Parent")
        GUARDIAN = "guardian", _("Guardian")
        FOSTER_FAMILY = "foster_family", _("Foster family")
        SUPPORT_AGREEMENT = "support_agreement", _("Support agreement")

    class Section(models.TextChoices):
        """What a support person may see, as the person allowed."""
        CONTACTS = "contacts", _("Contact details")
        ASSESSMENT = "assessment", _("Needs assessment")
        PLAN = "plan", _("Support plan")
        BUDGET = "budget", _("Budget and spending")
        AGREEMENTS = "agreements", _("Service agreements")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="relations",
                               verbose_name=_("person"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="person_relations",
                             verbose_name=_("user"))
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    basis = models.CharField(_("basis"), max_length=30, choices=Basis.choices)
    # Only for support persons: the sections the person allowed them to see. A legal representative
    # acts for the child and sees everything.
    may_see = ArrayField(models.CharField(max_length=20, choices=Section.choices), default=list, blank=True,
                         verbose_name=_("may see"))
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["person_id", "kind", "id"]
        verbose_name = _("relation")
        verbose_name_plural = _("relations")
        constraints = [
            models.UniqueConstraint(fields=["person", "user", "kind"], name="people_relation_unique"),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=models.F("valid_from")),
                name="people_relation_validity_order"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.user} → {self.person}"

    @property
    def may_see_labels(self) -> list[str]:
        labels = dict(self.Section.choices)
        return [str(labels[s]) for s in self.may_see if s in labels]


class Consent(models.Model):
    """A consent the person (or their representative) gave, with its date."""

    class Kind(models.TextChoices):
        DATA_PROCESSING = "data_processing", _("Processing of personal data for the individual budget")
        SPECIAL_CATEGORY = "special_category", _("Processing of health and disability data")
        SHARE_WITH_PROVIDERS = "share_with_providers", _("Sharing needed data with chosen providers")
        SHARE_WITH_SUPPORT_PERSON = "share_with_support_person", _("Sharing data with the support person")
        CONTACT_BY_EMAIL = "contact_by_email", _("Contact by e-mail")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="consents", verbose_name=_("person"))
    kind = models.CharField(_("consent"), max_length=40, choices=Kind.choices)
    given_on = models.DateField(_("given on"))
    given_by_name = models.CharField(_("given by"), max_length=200)
    given_by_capacity = models.CharField(_("as"), max_length=30, default="self")
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        ordering = ["person_id", "kind", "-given_on"]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        constraints = [
            models.CheckConstraint(condition=Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gte=models.F("given_on")),
                                   name="people_consent_withdrawn_after_given"),
        ]

    @property
    def is_active(self) -> bool:
        return self.withdrawn_on is None


# Sub-scales of the Support Intensity Scale (section 1) plus its sections 2 and 3.
SIS_SUBSCALES = {
    "home_living": _("Home living"),
    "community_living": _("Community living"),
    "lifelong_learning": _("Lifelong learning"),
    "employment": _("Employment"),
    "health_safety": _("Health and safety"),
    "social": _("Social activities"),
    "protection_advocacy": _("Protection and advocacy"),
}
# Domains of the children's functional assessment, each scored 0 (no limitation) to 4 (complete).
CHILD_DOMAINS = {
    "mobility": _("Mobility"),
    "self_care": _("Self-care"),
    "communication": _("Communication"),
    "learning": _("Learning and applying knowledge"),
    "behaviour": _("Behaviour and emotions"),
    "social_interaction": _("Social interaction"),
}


class Assessment(models.Model):
    """A needs assessment: SIS summary for adults, functional assessment by domain for children."""

    class Kind(models.TextChoices):
        SIS = "sis", _("Support Intensity Scale (adults)")
        CHILD_FUNCTIONAL = "child_functional", _("Functional assessment (children)")

    class Level(models.IntegerChoices):
        LEVEL_1 = 1, _("Level 1 (low support need)")
        LEVEL_2 = 2, _("Level 2 (moderate support need)")
        LEVEL_3 = 3, _("Level 3 (high support need)")
        LEVEL_4 = 4, _("Level 4 (very high support need)")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="assessments",
                               verbose_name=_("person"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    # {"home_living": 9, ...} for SIS standard scores, {"mobility": 2, ...} for children's domains.
    scores = models.JSONField(_("scores"), default=dict)
    # SIS extra: exceptional medical and behavioural support needs (section 3), each 0–2 summed.
    medical_needs = models.PositiveSmallIntegerField(_("exceptional medical needs"), default=0)
    behavioural_needs = models.PositiveSmallIntegerField(_("exceptional behavioural needs"), default=0)
    level = models.PositiveSmallIntegerField(_("support need level"), choices=Level.choices,
                                             validators=[MinValueValidator(1), MaxValueValidator(4)])
    summary = models.TextField(_("summary"), blank=True)
    assessor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="+", verbose_name=_("assessor"))
    assessor_name = models.CharField(_("assessor"), max_length=200)
    assessed_on = models.DateField(_("assessment date"))
    valid_until = models.DateField(_("valid until"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["person_id", "-assessed_on", "-id"]
        verbose_name = _("needs assessment")
        verbose_name_plural = _("needs assessments")
        constraints = [
            models.CheckConstraint(condition=Q(level__gte=1, level__lte=4), name="people_assessment_level_range"),
            models.CheckConstraint(condition=Q(valid_until__gt=models.F("assessed_on")),
                                   name="people_assessment_validity_order"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.assessed_on}"


class AssessmentDocument(models.Model):
    """A document attached to an assessment. Stored in the municipality's own schema (special-category
    data must not leave it for a shared file store)."""

    class FileType(models.TextChoices):
        PDF = "application/pdf", "PDF"
        JPEG = "image/jpeg", "JPEG"
        PNG = "image/png", "PNG"

    MAX_SIZE = 10 * 1024 * 1024

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="documents",
                                   verbose_name=_("assessment"))
    file_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=40, choices=FileType.choices)
    size = models.PositiveIntegerField(_("size (bytes)"))
    content = models.BinaryField(_("content"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        ordering = ["assessment_id", "id"]
        verbose_name = _("assessment document")
        verbose_name_plural = _("assessment documents")
        constraints = [
            models.CheckConstraint(condition=Q(size__gt=0, size__lte=10 * 1024 * 1024),
                                   name="people_document_size_range"),
            models.CheckConstraint(condition=Q(content_type__in=["application/pdf", "image/jpeg", "image/png"]),
                                   name="people_document_type"),
        ]


class SupportPlan(models.Model):
    """A person-centred support plan for one period (6–12 months). Versions are kept."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        AGREED = "agreed", _("Agreed by the person")
        APPROVED = "approved", _("Approved")
        SUPERSEDED = "superseded", _("Superseded")
        REVIEW_DUE = "review_due", _("Period ended, review due")
        CLOSED = "closed", _("Closed")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="plans", verbose_name=_("person"))
    version = models.PositiveIntegerField(_("version"))
    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="plans", verbose_name=_("based on assessment"))
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    agreed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="+", verbose_name=_("agreed by"))
    agreed_by_name = models.CharField(_("agreed by"), max_length=200, blank=True)
    agreed_capacity = models.CharField(_("agreed as"), max_length=30, blank=True)
    agreed_at = models.DateTimeField(_("agreed"), null=True, blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("approved by"))
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("reviewed by"))
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    review_comment = models.TextField(_("review comment"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["person_id", "-version"]
        verbose_name = _("support plan")
        verbose_name_plural = _("support plans")
        constraints = [
            models.UniqueConstraint(fields=["person", "version"], name="people_plan_version_unique"),
            models.UniqueConstraint(fields=["person"], condition=Q(status="approved"),
                                    name="people_plan_one_approved"),
            models.CheckConstraint(condition=Q(period_end__gt=models.F("period_start")),
                                   name="people_plan_period_order"),
        ]

    def __str__(self):
        return f"{self.person} v{self.version}"

    @property
    def is_editable(self) -> bool:
        return self.status == self.Status.DRAFT


class Goal(models.Model):
    """A goal in the person's own words, the service types that serve it and its share of the budget."""

    class Outcome(models.TextChoices):
        ACHIEVED = "achieved", _("Achieved")
        PARTLY = "partly", _("Partly achieved")
        NOT_ACHIEVED = "not", _("Not achieved")

    plan = models.ForeignKey(SupportPlan, on_delete=models.CASCADE, related_name="goals", verbose_name=_("plan"))
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    text = models.TextField(_("goal in the person's own words"))
    service_types = models.ManyToManyField("catalogue.ServiceType", related_name="goals",
                                           verbose_name=_("service types"))
    share_percent = models.DecimalField(_("share of the budget (%)"), max_digits=5, decimal_places=2,
                                        validators=[MinValueValidator(Decimal("0.01")),
                                                    MaxValueValidator(Decimal("100"))])
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, blank=True)
    outcome_comment = models.TextField(_("outcome comment"), blank=True)

    class Meta:
        ordering = ["plan_id", "position", "id"]
        verbose_name = _("goal")
        verbose_name_plural = _("goals")
        constraints = [
            models.CheckConstraint(condition=Q(share_percent__gt=0, share_percent__lte=100),
                                   name="people_goal_share_range"),
        ]

    def __str__(self):
        return self.text[:60]


class ErasureRequest(models.Model):
    """The person (or their legal representative) asked for their data to be erased (GDPR art. 17). A social
    worker executes it (``retention.person_erase``): what the law does not require to keep goes; ``kept`` is
    the answer of what stays, why and until when."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="erasure_requests",
                               verbose_name=_("person"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+", verbose_name=_("requested by"))
    requested_at = models.DateTimeField(_("requested"), auto_now_add=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="+", verbose_name=_("carried out by"))
    done_at = models.DateTimeField(_("carried out"), null=True, blank=True)
    kept = models.JSONField(_("what stays"), default=list, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("erasure request")
        verbose_name_plural = _("erasure requests")
        constraints = [
            models.UniqueConstraint(fields=["person"], condition=Q(done_at__isnull=True),
                                    name="people_erasure_one_open_per_person"),
        ]


# Every read of these during a request lands in the audit log (portal/platform/core/reads.py).
personal_data(Person, via=None)
for _model in (Relation, Consent, Assessment, SupportPlan, ErasureRequest):
    personal_data(_model)
personal_data(AssessmentDocument, via="assessment")
personal_data(Goal, via="plan")
