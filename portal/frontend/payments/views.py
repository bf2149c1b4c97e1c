"""Payments pages. Municipality site: the finance officer's payments, bank batches, statements,
reconciliation and funding; the family's "paid from the budget". National site: the provider's payments."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.frontend.decorators import member_required, provider_required
from portal.frontend.forms import apply_domain_error
from portal.marketplace.payments import access, bankfile, services, statements
from portal.marketplace.payments.errors import DomainError
from portal.marketplace.payments.models import (MoneyEntry, PaymentBatch, PaymentSettings, PaymentStatus,
                                               ReconciliationAlert)
from portal.marketplace.payments.schedule import expected_date
from portal.marketplace.payments.services import RETRYABLE
from portal.tenants.models import Municipality
from portal.tenants.roles import Role

from .forms import BatchForm, ReverseForm, SettingsForm, StatementForm, TopUpForm

FAMILY = (Role.PERSON, Role.LEGAL_REPRESENTATIVE, Role.SUPPORT_PERSON)
PAGE_SIZE = 25


@member_required(Role.FINANCE_OFFICER)
def payments(request):
    status = request.GET.get("status", "")
    status = status if status in PaymentStatus.values else ""
    qs = access.payments_for_finance(request.user)
    if status:
        qs = qs.filter(status=status)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    rules = PaymentSettings.current()
    for payment in page:
        payment.expected = expected_date(payment, rules)
    return render(request, "payments/finance_payments.html", {
        "page": page, "status": status, "statuses": PaymentStatus.choices, "retryable": RETRYABLE,
        "funding": services.funding_summary(), "rules": rules})


def _payment_action(request, payment_id, service, success: str):
    """Load the finance officer's payment, run one service on it, flash its outcome, back to the list."""
    payment = access.payment_for_finance(request.user, payment_id)
    try:
        service(payment=payment, actor=request.user)
        messages.success(request, success)
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("payments:list")


@member_required(Role.FINANCE_OFFICER)
@require_POST
def retry(request, payment_id):
    return _payment_action(request, payment_id, services.payment_retry,
                           _("The payment is sent again, with the same payment reference."))


@member_required(Role.FINANCE_OFFICER)
def reverse(request, payment_id):
    """Cancel a paid invoice and take its payment back (a reason is required)."""
    payment = access.payment_for_finance(request.user, payment_id)
    form = ReverseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            payment = services.payment_reverse(payment=payment, reason=form.cleaned_data["reason"],
                                               actor=request.user)
            messages.success(request, _("The invoice is cancelled and its payment taken back.")
                             if payment.status == PaymentStatus.REVERSED else
                             _("The invoice is cancelled. Recover the money from the provider and record it here."))
            return redirect("payments:list")
        except DomainError as exc:
            apply_domain_error(form, exc)
    return render(request, "payments/reverse.html", {"payment": payment, "form": form},
                  status=400 if form.errors else 200)


@member_required(Role.FINANCE_OFFICER)
@require_POST
def recovered(request, payment_id):
    return _payment_action(request, payment_id, services.payment_recovered,
                           _("The money is recorded as recovered and back in the funding."))


@member_required(Role.FINANCE_OFFICER)
def batches(request):
    access.payments_for_finance(request.user)
    form = BatchForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            batch = bankfile.batch_create(actor=request.user, execution_date=form.cleaned_data["execution_date"])
            messages.success(request, _("The batch is ready and valid. Download the file for the bank."))
            return redirect("payments:batch", batch_id=batch.pk)
        except DomainError as exc:
            apply_domain_error(form, exc)
    page = Paginator(PaymentBatch.objects.all(), PAGE_SIZE).get_page(request.GET.get("page"))
    waiting = bankfile.batchable()
    return render(request, "payments/batches.html", {
        "page": page, "form": form, "waiting_count": waiting.count()}, status=400 if form.errors else 200)


@member_required(Role.FINANCE_OFFICER)
def batch(request, batch_id):
    item = access.batch_for_finance(request.user, batch_id)
    error = None
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "export":
                return _file_response(item, bankfile.batch_export(batch=item, actor=request.user))
            if action == "confirm":
                bankfile.batch_confirm(batch=item, actor=request.user)
                messages.success(request, _("The batch is confirmed: its payments are paid."))
                return redirect("payments:batch", batch_id=item.pk)
            if action == "cancel":
                bankfile.batch_cancel(batch=item, actor=request.user)
                messages.success(request, _("The batch is cancelled: its payments wait for the next batch."))
                return redirect("payments:batch", batch_id=item.pk)
        except DomainError as exc:
            error = exc.message
        item = access.batch_for_finance(request.user, batch_id)
    rows = item.payments.select_related("invoice", "provider").order_by("id")
    return render(request, "payments/batch.html", {"batch": item, "rows": rows, "error": error},
                  status=400 if error else 200)


def _file_response(batch, data: bytes) -> HttpResponse:
    response = HttpResponse(data, content_type="application/xml")
    response["Content-Disposition"] = f'attachment; filename="pain001-{batch.message_id}.xml"'
    return response


@member_required(Role.FINANCE_OFFICER)
def batch_file(request, batch_id):
    """The file of an exported batch again (a link changes nothing; exporting is the POST on the batch page)."""
    item = access.batch_for_finance(request.user, batch_id)
    if item.status != PaymentBatch.Status.EXPORTED:
        return redirect("payments:batch", batch_id=item.pk)
    return _file_response(item, bankfile.batch_export(batch=item, actor=request.user))


@member_required(Role.FINANCE_OFFICER)
def statement(request):
    access.payments_for_finance(request.user)
    form = StatementForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        try:
            upload = form.cleaned_data["file"]
            result = statements.statement_import(data=upload.read(statements.MAX_BYTES + 1), actor=request.user)
        except DomainError as exc:
            apply_domain_error(form, exc)
    return render(request, "payments/statement.html", {"form": form, "result": result},
                  status=400 if form.errors else 200)


@member_required(Role.FINANCE_OFFICER)
def reconciliation(request):
    access.payments_for_finance(request.user)
    alerts = ReconciliationAlert.objects.filter(resolved_at__isnull=True).select_related("payment__invoice")
    page = Paginator(alerts, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "payments/reconciliation.html", {"page": page})


@member_required(Role.FINANCE_OFFICER)
def funding(request):
    access.payments_for_finance(request.user)
    form = TopUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.funding_top_up(amount=form.cleaned_data["amount"], note=form.cleaned_data["note"],
                                    actor=request.user)
            messages.success(request, _("The top-up is recorded."))
            return redirect("payments:funding")
        except DomainError as exc:
            apply_domain_error(form, exc)
    entries = MoneyEntry.objects.filter(kind=MoneyEntry.Kind.TOP_UP).order_by("-created_at", "-id")[:50]
    return render(request, "payments/funding.html", {
        "form": form, "summary": services.funding_summary(), "entries": entries},
        status=400 if form.errors else 200)


@member_required(Role.FINANCE_OFFICER)
def payment_settings(request):
    access.payments_for_finance(request.user)
    current = PaymentSettings.current()
    form = SettingsForm(request.POST or None, initial={
        "rail": current.rail, "debtor_name": current.debtor_name, "debtor_iban": current.debtor_iban,
        "debtor_bic": current.debtor_bic,
        "payment_weekday": "" if current.payment_weekday is None else str(current.payment_weekday),
        "business_days_after_approval": current.business_days_after_approval})
    if request.method == "POST" and form.is_valid():
        try:
            services.payment_settings_update(actor=request.user, **form.cleaned_data)
            messages.success(request, _("The payment settings are saved."))
            return redirect("payments:settings")
        except DomainError as exc:
            apply_domain_error(form, exc)
    return render(request, "payments/settings.html", {"form": form}, status=400 if form.errors else 200)


@member_required(*FAMILY)
def family(request):
    qs = access.payments_for_family(request.user).order_by("-requested_at", "-id")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "payments/family.html", {"page": page})


@provider_required
def provider_payments(request):
    code = request.GET.get("municipality", "")
    status = request.GET.get("status", "")
    status = status if status in PaymentStatus.values else ""
    items = access.payments_for_provider(request.user, municipality_code=code or None, status=status or None)
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    everywhere = access.payments_for_provider(request.user).order_by()
    municipalities = list(Municipality.objects.filter(
        pk__in=everywhere.values("municipality_id")).order_by("name").values_list("code", "name"))
    return render(request, "payments/provider.html", {
        "page": page, "code": code, "status": status, "statuses": PaymentStatus.choices,
        "municipalities": municipalities})
