"""People pages: the social worker's person list, person page, forms for persons, assessments, relations
and consents (plans: ``plan_views``); the family's "my plan". Thin: every read of a person goes through the
checkpoint and is audited, every write through ``people.services``."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.budgets.ledger.selectors import current_budget
from portal.budgets.people import access, retention, selectors, services
from portal.budgets.people.models import AssessmentDocument, Relation, SupportPlan
from portal.frontend.decorators import member_required
from portal.frontend.forms import apply_domain_error
from portal.platform.accounts.models import User
from portal.platform.core.errors import DomainError
from portal.platform.core.uploads import attachment_response, upload_read
from portal.tenants.access import current_municipality
from portal.tenants.models import Membership
from portal.tenants.roles import FAMILY_ROLES, STAFF_ROLES, Role

from .export import export_response
from .forms import (AssessmentForm, ConsentForm, EndDateForm, ErasureRequestForm, PersonForm, RelationForm,
                    SearchForm, VisibilityForm)

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


def _url(name, *args) -> str | None:
    """A link into another area, or None where that page does not exist (yet) on this site."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def _budget_url(person) -> str | None:
    budget = current_budget(person)
    return _url("budgets:budget", budget.pk) if budget is not None else None


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
    services.person_viewed(person=person, actor=request.user, message="person.page_viewed", request=request)
    return render(request, "people/person_detail.html", {
        "person": person,
        "relations": list(selectors.relations_of(person)),
        "consents": list(person.consents.all()),
        "assessments": list(selectors.assessments_of(person)),
        "plans": list(person.plans.order_by("-version")),
        "budget_url": _budget_url(person),
        "may_write": access.may_write(request.user),
        "erasure_asked": person.erasure_requests.filter(done_at__isnull=True).first(),
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
        services.person_viewed(person=person, actor=request.user, message="person.edit_form_viewed", request=request)
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
                    content = upload_read(upload)
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
    services.person_viewed(person=person, actor=request.user, message="person.document_viewed",
                           params={"file": document.file_name},
                           request=request)
    return attachment_response(content=document.content, content_type=document.content_type,
                               file_name=f"{document.pk}-{document.file_name}")


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
            apply_domain_error(form, error, fields={"user": "email"})
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


@member_required(WRITER)
def consent_withdraw(request, person_id, consent_id):
    person = _person(request, person_id)
    consent = person.consents.filter(pk=consent_id).first()
    if consent is None:
        raise Http404
    form = EndDateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.consent_withdraw(consent=consent, on=form.cleaned_data["on"], actor=request.user,
                                      request=request)
        except DomainError as error:
            apply_domain_error(form, error, fields={"withdrawn_on": "on"})
        else:
            messages.success(request, _("The withdrawal of the consent is recorded."))
            return redirect("people:person", person_id=person.pk)
    return _render_form(request, "people/simple_form.html", {
        "person": person, "form": form, "title": _("Withdraw a consent"),
        "intro": consent.get_kind_display(), "submit": _("Record the withdrawal"),
        "back": reverse("people:person", args=[person.pk])}, form)


@member_required(WRITER)
def relation_end(request, person_id, relation_id):
    person = _person(request, person_id)
    relation = person.relations.filter(pk=relation_id).select_related("user").first()
    if relation is None:
        raise Http404
    form = EndDateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.relation_end(relation=relation, on=form.cleaned_data["on"], actor=request.user,
                                  request=request)
        except DomainError as error:
            apply_domain_error(form, error, fields={"valid_until": "on"})
        else:
            messages.success(request, _("The relation is ended."))
            return redirect("people:person", person_id=person.pk)
    return _render_form(request, "people/simple_form.html", {
        "person": person, "form": form, "title": _("End a relation"),
        "intro": f"{relation.user.full_name}: {relation.get_kind_display()}", "submit": _("End the relation"),
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
        pending = (selectors.plans_of(person).filter(status=SupportPlan.Status.DRAFT).first()
                   if "plan" in sections else None)
        services.person_viewed(person=person, actor=request.user, message="person.my_plan_viewed",
                               params={"capacity": capacity},
                               request=request)
        support = []
        if capacity == access.SELF:
            support = list(person.relations.filter(kind=Relation.Kind.SUPPORT_PERSON).select_related("user"))
        entries.append({"person": person, "capacity": capacity, "sections": sections, "plan": plan,
                        "goals": list(plan.goals.all()) if plan else [], "support": support,
                        "pending": pending, "pending_goals": list(pending.goals.all()) if pending else [],
                        "may_agree": capacity in (access.SELF, access.LEGAL_REPRESENTATIVE)})
    return render(request, "people/my_plan.html", {"entries": entries, "my_budget_url": _url("budgets:my-budget")})


@member_required(Role.PERSON, Role.LEGAL_REPRESENTATIVE)
def my_data_views(request):
    """Who looked at my data: the audit log filtered to the person, for the person and a legal representative
    (a support person does not see it)."""
    entries = [{"person": person, "capacity": capacity, "looked": selectors.who_looked(person)}
               for person in selectors.represented_persons(request.user)
               if (capacity := access.acting_capacity(request.user, person)) in (access.SELF,
                                                                                  access.LEGAL_REPRESENTATIVE)]
    return render(request, "people/my_data_views.html", {"entries": entries})


@member_required(Role.PERSON, Role.LEGAL_REPRESENTATIVE)
def my_data_export(request):
    """Download everything held about the person (the person, or a legal representative for the person they
    represent): ``?format=json`` (default) or ``pdf``; ``?person=<id>`` when acting for several."""
    persons = _deciding_persons(request.user)
    wanted = request.GET.get("person")
    person = next((p for p in persons if str(p.pk) == wanted), None) if wanted else (persons[0] if persons else None)
    if person is None:
        raise Http404
    return export_response(person, request.GET.get("format", "json"))


def _deciding_persons(user) -> list:
    """The persons ``user`` decides for about their data: themselves, or whom they legally represent."""
    return [p for p in selectors.represented_persons(user)
            if access.acting_capacity(user, p) in (access.SELF, access.LEGAL_REPRESENTATIVE)]


def _erasure_context(person) -> dict:
    return {"person": person, "erased_now": retention.erasable_labels(), "stays": retention.what_stays(person),
            "requests": list(person.erasure_requests.all()[:5])}


@member_required(Role.PERSON, Role.LEGAL_REPRESENTATIVE)
def my_erasure(request):
    """The person (or a legal representative) asks for the person's data to be erased (GDPR art. 17): the page
    says what goes, what the municipality must keep and until when; a social worker carries it out.
    ``?person=<id>`` when acting for several."""
    persons = _deciding_persons(request.user)
    wanted = request.POST.get("person") or request.GET.get("person")
    person = next((p for p in persons if str(p.pk) == wanted), None) if wanted else (persons[0] if persons else None)
    if person is None:
        raise Http404
    form = ErasureRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            retention.erasure_request(person=person, actor=request.user, request=request)
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, _("Your request is sent. A social worker will carry it out and you will see "
                                        "the result on this page."))
            return redirect(f"{reverse('people:my-erasure')}?person={person.pk}")
    context = {**_erasure_context(person), "form": form, "several": len(persons) > 1,
               "own": person.user_id == request.user.pk}
    return _render_form(request, "people/my_erasure.html", context, form)


@member_required(*READERS)
def erasure_requests(request):
    """Erasure requests waiting for a social worker."""
    return render(request, "people/erasure_requests.html", {
        "requests": list(retention.erasure_requests_open()), "may_write": access.may_write(request.user)})


@member_required(WRITER)
def person_erasure(request, person_id):
    """A social worker carries out erasure for the person (on their request, or as asked in person)."""
    person = _person(request, person_id)
    if request.method == "POST":
        try:
            retention.person_erase(person=person, actor=request.user, request=request)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Erasure carried out: contact details and address are removed."))
        return redirect("people:person-erasure", person_id=person.pk)
    return render(request, "people/person_erasure.html", _erasure_context(person))


@member_required(*STAFF_ROLES)
def person_export(request, person_id):
    """A social worker produces the person's data on request (the read is audited like every other)."""
    if not access.may_write(request.user):
        return render(request, "frontend/forbidden.html", status=403)
    return export_response(access.person_for_user(request.user, person_id), request.GET.get("format", "json"))


@member_required(Role.PERSON, Role.LEGAL_REPRESENTATIVE)
@require_POST
def my_plan_agree(request, plan_id):
    """The person (or a child's legal representative) agrees to the plan prepared with them."""
    plan = (SupportPlan.objects.filter(pk=plan_id, person__in=selectors.represented_persons(request.user))
            .select_related("person").first())
    if plan is None:
        raise Http404
    try:
        services.plan_agree(plan=plan, actor=request.user, request=request)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Thank you: your agreement is recorded. Your social worker will now approve "
                                    "the plan."))
    return redirect("people:my-plan")


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
