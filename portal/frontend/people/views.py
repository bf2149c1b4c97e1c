"""People pages: the social worker's person list, person page, forms for persons, assessments, plans,
relations and consents; the family's "my plan". Thin: every read of a person goes through the
checkpoint and is audited, every write through ``people.services``."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.budgets.people import access, selectors, services
from portal.budgets.people.models import AssessmentDocument, Relation, SupportPlan
from portal.frontend.admin_views import apply_domain_error
from portal.marketplace.catalogue.models import ServiceType
from portal.platform.accounts.models import User
from portal.platform.core.errors import DomainError
from portal.tenants.access import current_municipality, member_required
from portal.tenants.models import Membership
from portal.tenants.roles import FAMILY_ROLES, Role

from .forms import (AgreeForm, AssessmentForm, ConsentForm, GoalFormSet, PeriodForm, PersonForm, RelationForm,
                    ReviewForm, SearchForm, VisibilityForm)

READERS = (Role.SOCIAL_WORKER, Role.MUNICIPALITY_ADMIN)
WRITER = Role.SOCIAL_WORKER
PAGE_SIZE = 25


def _person(request, person_id):
    """The checkpoint for every person page (404 for other municipalities' or unrelated persons)."""
    return access.person_for_user(request.user, person_id)


def _plan(person, plan_id) -> SupportPlan:
    plan = selectors.plan_for_person(person, plan_id)
    if plan is None:
        raise Http404
    return plan


def _social_workers():
    municipality = current_municipality()
    ids = Membership.objects.filter(municipality=municipality, role=Role.SOCIAL_WORKER).values("user_id")
    return list(User.objects.filter(pk__in=ids).order_by("full_name"))


def _render_form(request, template, context, form):
    return render(request, template, context, status=400 if request.method == "POST" and form.errors else 200)


# Person list and page ---------------------------------------------------------------------------

@member_required(*READERS)
def person_list(request):
    form = SearchForm(request.GET or None)
    query = target_group = ""
    if form.is_valid():
        query, target_group = form.cleaned_data["q"], form.cleaned_data["target_group"]
    persons = selectors.person_search(request.user, query=query, target_group=target_group)
    page = Paginator(persons, PAGE_SIZE).get_page(request.GET.get("page"))
    services.persons_listed(actor=request.user, query=query, count=page.paginator.count, request=request)
    return render(request, "people/person_list.html", {
        "form": form, "page": page, "may_write": access.may_write(request.user)})


@member_required(*READERS)
def person_detail(request, person_id):
    person = _person(request, person_id)
    services.person_viewed(person=person, actor=request.user, what="person page", request=request)
    return render(request, "people/person_detail.html", {
        "person": person,
        "relations": list(selectors.relations_of(person)),
        "consents": list(person.consents.all()),
        "assessments": list(selectors.assessments_of(person)),
        "plans": list(person.plans.order_by("-version")),
        "may_write": access.may_write(request.user),
    })


@member_required(WRITER)
def person_create(request):
    form = PersonForm(request.POST or None, social_workers=_social_workers(),
                      initial={"social_worker": request.user.pk, "preferred_language": "lv"})
    if request.method == "POST" and form.is_valid():
        try:
            person = services.person_create(actor=request.user, request=request, **form.service_data())
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, _("%(name)s is registered.") % {"name": person.full_name})
            return redirect("people:person", person_id=person.pk)
    return _render_form(request, "people/person_form.html", {"form": form, "person": None}, form)


@member_required(WRITER)
def person_edit(request, person_id):
    person = _person(request, person_id)
    initial = {name: getattr(person, name) for name in services.PERSON_FIELDS if name not in ("user",)}
    initial["social_worker"] = person.social_worker_id
    form = PersonForm(request.POST or None, social_workers=_social_workers(), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.person_update(person=person, actor=request.user, request=request, **form.service_data())
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, _("The changes are saved."))
            return redirect("people:person", person_id=person.pk)
    else:
        services.person_viewed(person=person, actor=request.user, what="edit form", request=request)
    return _render_form(request, "people/person_form.html", {"form": form, "person": person}, form)


# Assessments ------------------------------------------------------------------------------------

@member_required(WRITER)
def assessment_create(request, person_id):
    person = _person(request, person_id)
    form = AssessmentForm(request.POST or None, request.FILES or None, child=person.is_child)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        upload = data.get("document")
        try:
            with transaction.atomic():
                assessment = services.assessment_create(
                    person=person, scores=form.scores(), assessed_on=data["assessed_on"],
                    valid_until=data["valid_until"], assessor_name=data["assessor_name"], summary=data["summary"],
                    medical_needs=data.get("medical_needs") or 0, behavioural_needs=data.get("behavioural_needs") or 0,
                    actor=request.user, request=request)
                if upload is not None:
                    # Read one byte past the limit: enough for the service to refuse an oversized file.
                    content = upload.read(AssessmentDocument.MAX_SIZE + 1)
                    services.document_attach(assessment=assessment, file_name=upload.name, content=content,
                                             actor=request.user, request=request)
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, _("The needs assessment is saved: level %(level)s.") % {
                "level": assessment.level})
            return redirect("people:person", person_id=person.pk)
    return _render_form(request, "people/assessment_form.html", {"form": form, "person": person}, form)


@member_required(*READERS)
def document_download(request, person_id, document_id):
    person = _person(request, person_id)
    document = AssessmentDocument.objects.filter(pk=document_id, assessment__person=person).first()
    if document is None:
        raise Http404
    services.person_viewed(person=person, actor=request.user, what=f"document {document.file_name}",
                           request=request)
    response = HttpResponse(bytes(document.content), content_type=document.content_type)
    response["Content-Disposition"] = f'attachment; filename="{document.pk}-{document.file_name}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


# Plans ------------------------------------------------------------------------------------------

def _service_types():
    return list(ServiceType.objects.order_by("code"))


def _goal_initial(plan) -> list[dict]:
    return [{"text": g.text, "service_types": [t.code for t in g.service_types.all()],
             "share_percent": g.share_percent} for g in plan.goals.prefetch_related("service_types")]


def _plan_builder(request, person, plan=None):
    """Plan builder: period and goals. "Add a goal" re-renders with one more empty goal, without JS."""
    types = _service_types()
    kwargs = {"form_kwargs": {"service_types": types}, "prefix": "goals"}
    if request.method == "POST":
        period = PeriodForm(request.POST)
        formset = GoalFormSet(request.POST, **kwargs)
        if "add_goal" in request.POST:
            period = PeriodForm(initial={k: request.POST.get(k) for k in ("period_start", "period_end")})
            kept = [{n: f[n].value() for n in ("text", "service_types", "share_percent")}
                    for f in formset.forms if not f["DELETE"].value()]
            formset = GoalFormSet(initial=kept + [{}], **kwargs)
            return render(request, "people/plan_form.html", {
                "person": person, "plan": plan, "period": period, "formset": formset})
        if period.is_valid() and formset.is_valid():
            goals = [f.cleaned_data for f in formset.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
            try:
                if plan is None:
                    plan = services.plan_create(person=person, goals=goals, actor=request.user, request=request,
                                                **period.cleaned_data)
                else:
                    services.plan_update(plan=plan, goals=goals, actor=request.user, request=request,
                                         **period.cleaned_data)
            except DomainError as error:
                _apply_plan_error(period, formset, error)
            else:
                messages.success(request, _("The plan is saved as a draft."))
                return redirect("people:plan", person_id=person.pk, plan_id=plan.pk)
        status = 400
    else:
        if plan is None:
            period = PeriodForm()
            formset = GoalFormSet(initial=[{}, {}], **kwargs)
        else:
            period = PeriodForm(initial={"period_start": plan.period_start, "period_end": plan.period_end})
            formset = GoalFormSet(initial=_goal_initial(plan) or [{}], **kwargs)
        status = 200
    return render(request, "people/plan_form.html", {
        "person": person, "plan": plan, "period": period, "formset": formset}, status=status)


def _apply_plan_error(period, formset, error: DomainError) -> None:
    field = error.field or ""
    if field in period.fields:
        period.add_error(field, error.message)
        return
    parts = field.split("-")
    if len(parts) == 3 and parts[1].isdigit():
        live = [f for f in formset.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
        index = int(parts[1])
        if index < len(live) and parts[2] in live[index].fields:
            live[index].add_error(parts[2], error.message)
            return
    formset._non_form_errors = formset.error_class([error.message])  # noqa: SLF001  shown at the top
    period.add_error(None, error.message)


@member_required(WRITER)
def plan_create(request, person_id):
    person = _person(request, person_id)
    return _plan_builder(request, person)


@member_required(WRITER)
def plan_edit(request, person_id, plan_id):
    person = _person(request, person_id)
    plan = _plan(person, plan_id)
    if plan.status not in (SupportPlan.Status.DRAFT, SupportPlan.Status.AGREED):
        messages.error(request, _("An approved plan cannot be changed: make a new version."))
        return redirect("people:plan", person_id=person.pk, plan_id=plan.pk)
    return _plan_builder(request, person, plan)


@member_required(*READERS)
def plan_detail(request, person_id, plan_id):
    person = _person(request, person_id)
    plan = _plan(person, plan_id)
    services.person_viewed(person=person, actor=request.user, what=f"support plan v{plan.version}",
                           request=request)
    return render(request, "people/plan_detail.html", {
        "person": person, "plan": plan, "goals": list(plan.goals.all()),
        "may_write": access.may_write(request.user),
        "agree_form": AgreeForm(initial={
            "capacity": "legal_representative" if person.is_child else "self",
            "given_by_name": "" if person.is_child else person.full_name}),
    })


@member_required(WRITER)
@require_POST
def plan_agree(request, person_id, plan_id):
    person = _person(request, person_id)
    plan = _plan(person, plan_id)
    form = AgreeForm(request.POST)
    if form.is_valid():
        try:
            services.plan_agree(plan=plan, actor=request.user, request=request, **form.cleaned_data)
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, _("The agreement is recorded."))
            return redirect("people:plan", person_id=person.pk, plan_id=plan.pk)
    return render(request, "people/plan_detail.html", {
        "person": person, "plan": plan, "goals": list(plan.goals.all()), "may_write": True, "agree_form": form,
        "form": form}, status=400)


@member_required(WRITER)
@require_POST
def plan_approve(request, person_id, plan_id):
    person = _person(request, person_id)
    plan = _plan(person, plan_id)
    try:
        services.plan_approve(plan=plan, actor=request.user, request=request)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The plan is approved and the budget is granted."))
    return redirect("people:plan", person_id=person.pk, plan_id=plan.pk)


@member_required(WRITER)
def plan_new_version(request, person_id, plan_id):
    person = _person(request, person_id)
    plan = _plan(person, plan_id)
    form = PeriodForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            new = services.plan_new_version(plan=plan, actor=request.user, request=request, **form.cleaned_data)
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, _("Version %(v)s is started from the goals of version %(old)s.") % {
                "v": new.version, "old": plan.version})
            return redirect("people:plan-edit", person_id=person.pk, plan_id=new.pk)
    return _render_form(request, "people/simple_form.html", {
        "person": person, "form": form, "title": _("New plan version"),
        "intro": _("After a re-assessment: the goals are copied into a new draft; this version stays as it is."),
        "submit": _("Start the new version"),
        "back": reverse("people:plan", args=[person.pk, plan.pk])}, form)


@member_required(WRITER)
def plan_review(request, person_id, plan_id):
    person = _person(request, person_id)
    plan = _plan(person, plan_id)
    goals = list(plan.goals.all())
    form = ReviewForm(request.POST or None, goals=goals, initial={"comment": plan.review_comment})
    if request.method == "POST" and form.is_valid():
        try:
            services.plan_review(plan=plan, outcomes=form.outcomes(), comment=form.cleaned_data["comment"],
                                 actor=request.user, request=request)
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, _("The review is saved."))
            return redirect("people:plan", person_id=person.pk, plan_id=plan.pk)
    return _render_form(request, "people/plan_review.html", {"person": person, "plan": plan, "form": form}, form)


# Relations and consents -------------------------------------------------------------------------

@member_required(WRITER)
def relation_add(request, person_id):
    person = _person(request, person_id)
    form = RelationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        user = User.objects.filter(email__iexact=data.pop("email")).first()
        try:
            services.relation_add(person=person, user=user, actor=request.user, request=request, **data)
        except DomainError as error:
            apply_domain_error(form, error if error.field != "user" else type(error)(error.message, field="email"))
        else:
            messages.success(request, _("The relation is recorded."))
            return redirect("people:person", person_id=person.pk)
    return _render_form(request, "people/simple_form.html", {
        "person": person, "form": form, "title": _("Add a representative or support person"),
        "submit": _("Save"), "back": reverse("people:person", args=[person.pk])}, form)


@member_required(WRITER)
def consent_record(request, person_id):
    person = _person(request, person_id)
    form = ConsentForm(request.POST or None, initial={
        "given_by_capacity": "legal_representative" if person.is_child else "self"})
    if request.method == "POST" and form.is_valid():
        try:
            services.consent_record(person=person, actor=request.user, request=request, **form.cleaned_data)
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, _("The consent is recorded."))
            return redirect("people:person", person_id=person.pk)
    return _render_form(request, "people/simple_form.html", {
        "person": person, "form": form, "title": _("Record a consent"), "submit": _("Save"),
        "back": reverse("people:person", args=[person.pk])}, form)


# The family's pages -----------------------------------------------------------------------------

@member_required(*FAMILY_ROLES)
def my_plan(request):
    """"My plan" in plain language for the person, the legal representative and the support person (who sees
    only what the person allowed)."""
    entries = []
    for person in selectors.represented_persons(request.user):
        capacity = access.acting_capacity(request.user, person)
        sections = access.visible_sections(request.user, person, capacity)
        plan = selectors.current_plan(person) if "plan" in sections else None
        services.person_viewed(person=person, actor=request.user, what=f"my plan page as {capacity}",
                               request=request)
        support = []
        if capacity == access.SELF:
            support = list(person.relations.filter(kind=Relation.Kind.SUPPORT_PERSON).select_related("user"))
        entries.append({"person": person, "capacity": capacity, "sections": sections, "plan": plan,
                        "goals": list(plan.goals.all()) if plan else [], "support": support})
    return render(request, "people/my_plan.html", {"entries": entries})


@member_required(Role.PERSON)
def my_support_person(request, relation_id):
    """The person chooses what their support person may see."""
    relation = (Relation.objects.filter(pk=relation_id, kind=Relation.Kind.SUPPORT_PERSON,
                                        person__user=request.user).select_related("person", "user").first())
    if relation is None:
        raise Http404
    form = VisibilityForm(request.POST or None, initial={"may_see": relation.may_see})
    if request.method == "POST" and form.is_valid():
        try:
            services.relation_set_visibility(relation=relation, may_see=form.cleaned_data["may_see"],
                                             actor=request.user, request=request)
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, _("Saved: your support person sees what you chose."))
            return redirect("people:my-plan")
    return _render_form(request, "people/simple_form.html", {
        "person": relation.person, "form": form,
        "title": _("What %(name)s may see") % {"name": relation.user.full_name},
        "intro": _("Your support person helps you understand and prepare decisions. You decide what they see."),
        "submit": _("Save"), "back": reverse("people:my-plan")}, form)
