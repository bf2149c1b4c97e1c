"""Provider pages (national site): one list of the provider's work across municipalities, and the pages
for recording sessions and invoicing one agreement, each inside that municipality's schema."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.frontend.decorators import provider_required
from portal.frontend.forms import apply_domain_error
from portal.marketplace.agreements.models import AgreementStatus
from portal.marketplace.invoicing import access, invoices, selectors
from portal.marketplace.invoicing.csvimport import sessions_csv_record
from portal.marketplace.invoicing.documents import invoice_pdf_bytes
from portal.marketplace.invoicing.errors import DomainError, InvoiceNotClean
from portal.marketplace.invoicing.models import InvoiceStatus, SessionStatus
from portal.marketplace.invoicing.references import agreement_reference, draft_reference
from portal.marketplace.invoicing.sessions import (month_rows, session_correct, session_record, session_withdraw,
                                                   sessions_bulk_record)
from portal.marketplace.registry.models import ProviderWorkItem
from portal.marketplace.registry.selectors import work_items_for_providers
from portal.tenants.models import Municipality

from .common import in_municipality, pdf_response
from .forms import BulkMonthForm, CorrectSessionForm, CsvForm, MonthForm, SessionForm, default_month

PAGE_SIZE = 25


@provider_required
def hub(request):
    """Everything the provider has in every municipality, from the public-schema index."""
    ids = access.provider_ids_for(request.user)
    kind = request.GET.get("kind", "")
    kind = kind if kind in ProviderWorkItem.Kind.values else ""
    code = request.GET.get("municipality", "")
    statuses = _status_choices()
    status = request.GET.get("status", "")
    status = status if status in dict(statuses) else ""
    items = work_items_for_providers(ids, kind=kind or None, municipality_code=code or None, status=status or None)
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    _in_words(page)
    # One index probe per municipality (a semi-join), not a scan of the provider's rows.
    worked_in = ProviderWorkItem.objects.filter(provider_id__in=ids, municipality=OuterRef("pk"))
    municipalities = list(Municipality.objects.filter(Exists(worked_in)).order_by("name")
                          .values_list("code", "name"))
    return render(request, "invoicing/provider_hub.html", {
        "page": page, "kind": kind, "kinds": ProviderWorkItem.Kind.choices, "code": code,
        "municipalities": municipalities, "status": status, "statuses": statuses})


def _in_words(items) -> None:
    """The index stores a status label and a reference in the language of the request that wrote them; the
    page says them in its own language, from the status code and the agreement or invoice they stand for."""
    labels = {"agreement": dict(AgreementStatus.choices), "session": dict(SessionStatus.choices),
              "invoice": dict(InvoiceStatus.choices)}
    for item in items:
        item.status_text = labels.get(item.kind, {}).get(item.status, item.status_label)
        if item.kind == "invoice":
            item.reference_text = draft_reference(item.date) if item.status == InvoiceStatus.DRAFT else item.reference
        else:
            item.reference_text = agreement_reference(item.agreement_id) if item.agreement_id else item.reference


def _status_choices() -> list[tuple[str, str]]:
    """Every status an index row can have (agreements', sessions' and invoices'), each once."""
    seen, choices = set(), []
    for value, label in [*AgreementStatus.choices, *SessionStatus.choices, *InvoiceStatus.choices]:
        if value not in seen:
            seen.add(value)
            choices.append((value, label))
    return choices


def _agreement_context(request, municipality, agreement, **extra):
    sessions = Paginator(selectors.sessions_of_agreement(agreement), 20).get_page(request.GET.get("page"))
    return {"municipality_code": municipality.code, "agreement": agreement, "sessions": sessions,
            "invoices": selectors.invoices_of_agreement(agreement), **extra}


@in_municipality
def agreement(request, municipality, agreement_id):
    """One agreement: record a session, see its sessions, start a monthly invoice."""
    item = access.agreement_for_provider(request.user, agreement_id)
    form = SessionForm(request.POST or None, prefix="s")
    month_form = MonthForm(initial={"month": default_month()}, prefix="m")
    if request.method == "POST":
        if form.is_valid():
            try:
                session_record(agreement=item, actor=request.user, **form.cleaned_data)
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, _("The session is recorded. The person will be asked to confirm it."))
                return redirect(request.path)
    return render(request, "invoicing/provider_agreement.html",
                  _agreement_context(request, municipality, item, form=form, month_form=month_form))


@in_municipality
def bulk(request, municipality, agreement_id):
    """Bulk entry for a month: the same session on chosen weekdays."""
    item = access.agreement_for_provider(request.user, agreement_id)
    form = BulkMonthForm(request.POST or None, initial={"month": default_month()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        year, month = data["month"]
        rows = month_rows(year=year, month=month, weekdays=data["weekdays"],
                          start_time=data["start_time"], units=data["units"], staff_name=data["staff_name"],
                          note=data["note"], since=item.period_start,
                          until=min(timezone.localdate(), item.period_end))
        try:
            created = sessions_bulk_record(agreement=item, rows=rows, actor=request.user)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("%(n)s sessions recorded.") % {"n": len(created)})
            return redirect("invoicing:provider-agreement", code=municipality.code, agreement_id=item.pk)
    return render(request, "invoicing/provider_bulk.html", {"form": form, "agreement": item,
                                                            "municipality_code": municipality.code})


@in_municipality
def csv_upload(request, municipality, agreement_id):
    item = access.agreement_for_provider(request.user, agreement_id)
    form = CsvForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            created = sessions_csv_record(agreement=item, data=form.cleaned_data["file"].read(), actor=request.user)
        except DomainError as exc:
            apply_domain_error(form, exc, rows_field="file")
        else:
            messages.success(request, _("%(n)s sessions recorded.") % {"n": len(created)})
            return redirect("invoicing:provider-agreement", code=municipality.code, agreement_id=item.pk)
    return render(request, "invoicing/provider_csv.html", {"form": form, "agreement": item,
                                                           "municipality_code": municipality.code})


@in_municipality
def session(request, municipality, session_id):
    """Correct or withdraw a recorded or disputed session."""
    item = access.session_for_provider(request.user, session_id)
    initial = {"start_time": item.start_time, "duration_minutes": item.duration_minutes, "units": item.units,
               "staff_name": item.staff_name, "goal_progress": item.goal_progress, "note": item.note}
    form = CorrectSessionForm(request.POST or None, initial=initial)
    if request.method == "POST":
        try:
            if "withdraw" in request.POST:
                session_withdraw(session=item, actor=request.user)
                messages.success(request, _("The session is withdrawn."))
                return redirect("invoicing:provider-agreement", code=municipality.code, agreement_id=item.agreement_id)
            if form.is_valid():
                session_correct(session=item, actor=request.user, **form.cleaned_data)
                messages.success(request, _("The session is corrected and sent to the person to confirm again."))
                return redirect("invoicing:provider-agreement", code=municipality.code, agreement_id=item.agreement_id)
        except DomainError as exc:
            apply_domain_error(form, exc)
    return render(request, "invoicing/provider_session.html", {"form": form, "session": item,
                                                               "municipality_code": municipality.code})


@require_POST
@in_municipality
def invoice_create(request, municipality, agreement_id):
    item = access.agreement_for_provider(request.user, agreement_id)
    form = MonthForm(request.POST, prefix="m")
    if form.is_valid():
        year, month = form.cleaned_data["month"]
        try:
            invoice = invoices.invoice_create(agreement=item, year=year, month=month, actor=request.user)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            return redirect("invoicing:provider-invoice", code=municipality.code, invoice_id=invoice.pk)
    return render(request, "invoicing/provider_agreement.html",
                  _agreement_context(request, municipality, item, form=SessionForm(prefix="s"), month_form=form),
                  status=400)


def _invoice_context(invoice, municipality, result=None):
    result = result or selectors.invoice_check(invoice)
    lines = [(line, result.lines.get(line.pk, [])) for line in invoice.lines.select_related("session")]
    return {"invoice": invoice, "lines": lines, "result": result, "timeline": selectors.timeline(invoice),
            "municipality_code": municipality.code, "agreement": invoice.agreement}


@in_municipality
def invoice(request, municipality, invoice_id):
    """The invoice with every line's problems, the actions of its status and its timeline."""
    item = access.invoice_for_provider(request.user, invoice_id)
    error = None
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "submit":
                invoices.invoice_submit(invoice=item, actor=request.user)
                messages.success(request, _("The invoice is submitted to the municipality."))
            elif action == "refresh":
                invoices.invoice_refresh(invoice=item, actor=request.user)
                messages.success(request, _("The lines are rebuilt from the month's sessions."))
            elif action == "remove-line":
                invoices.invoice_line_remove(invoice=item, line_id=int(request.POST.get("line") or 0),
                                             actor=request.user)
                messages.success(request, _("The line is removed."))
            elif action == "delete":
                invoices.invoice_delete(invoice=item, actor=request.user)
                messages.success(request, _("The draft is deleted."))
                return redirect("invoicing:provider-agreement", code=municipality.code,
                                agreement_id=item.agreement_id)
            return redirect(request.path)
        except InvoiceNotClean as exc:
            error = exc.message
        except DomainError as exc:
            error = exc.message
        item = access.invoice_for_provider(request.user, invoice_id)
    context = _invoice_context(item, municipality)
    context["error"] = error
    return render(request, "invoicing/provider_invoice.html", context, status=400 if error else 200)


@in_municipality
def invoice_pdf(request, municipality, invoice_id):
    item = access.invoice_for_provider(request.user, invoice_id)
    return pdf_response(invoice_pdf_bytes(item), f"rekins-{item.number or item.pk}.pdf")


def agreement_url(code, agreement_id):
    return reverse("invoicing:provider-agreement", kwargs={"code": code, "agreement_id": agreement_id})
