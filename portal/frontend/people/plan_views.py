"""Support plan pages: the plan builder (goals in a formset; add and remove goals without JavaScript), the
plan page, recording the agreement, approval, review and a new version."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.budgets.people import access, services
from portal.budgets.people.models import SupportPlan
from portal.budgets.people.plans import MAX_GOALS
from portal.frontend.decorators import member_required
from portal.frontend.forms import apply_domain_error
from portal.marketplace.invoicing.oversight import goal_evidence
from portal.marketplace.catalogue.models import ServiceType
from portal.platform.core.errors import DomainError

from .forms import AgreeForm, GoalFormSet, PeriodForm, ReviewForm
from .views import READERS, WRITER, _person, _plan, _render_form


def _service_types():
    return sorted(ServiceType.objects.all(), key=lambda t: t.name)  # by the name in the active language


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
            formset = GoalFormSet(initial=kept + ([{}] if len(kept) < MAX_GOALS else []), **kwargs)
            return render(request, "people/plan_form.html", {
                "person": person, "plan": plan, "period": period, "formset": formset})
        if period.is_valid() and formset.is_valid():
            live = _live_goal_forms(formset)
            goals = [f.cleaned_data for f in live]
            try:
                if plan is None:
                    plan = services.plan_create(person=person, goals=goals, actor=request.user, request=request,
                                                **period.cleaned_data)
                else:
                    services.plan_update(plan=plan, goals=goals, actor=request.user, request=request,
                                         **period.cleaned_data)
            except DomainError as error:
                _apply_plan_error(period, formset, live, error)
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


def _live_goal_forms(formset) -> list:
    """The goal forms that will be saved: not removed and not left entirely empty (as the service counts them,
    so an error about "goals-2-…" lands on the right form)."""
    return [f for f in formset.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")
            and (f.cleaned_data.get("text", "").strip() or f.cleaned_data.get("service_types")
                 or f.cleaned_data.get("share_percent"))]


def _apply_plan_error(period, formset, live, error: DomainError) -> None:
    field = error.field or ""
    if field in period.fields:
        period.add_error(field, error.message)
        return
    parts = field.split("-")
    if len(parts) == 3 and parts[1].isdigit():
        index = int(parts[1])
        if index < len(live) and parts[2] in live[index].fields:
            live[index].add_error(parts[2], error.message)
            return
    period.add_error(None, error.message)  # about the goals as a whole: shown at the top


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
    services.person_viewed(person=person, actor=request.user, message="person.plan_viewed",
                           params={"version": plan.version},
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
    evidence = {e.goal.pk: e for e in goal_evidence(plan)}
    for goal in goals:  # the form's goals: the template shows each one's evidence beside its outcome
        goal.evidence = evidence.get(goal.pk)
    return _render_form(request, "people/plan_review.html", {"person": person, "plan": plan, "form": form}, form)
