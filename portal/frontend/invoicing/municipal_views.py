"""Municipality-site pages: the family confirms or disputes sessions; the finance officer approves invoices."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from portal.budgets.people.access import deciding_persons
from portal.frontend.decorators import member_required
from portal.marketplace.invoicing import access, selectors
from portal.frontend.forms import apply_domain_error
from portal.marketplace.invoicing.documents import invoice_pdf_bytes
from portal.marketplace.invoicing.errors import DomainError
from portal.marketplace.invoicing.invoices import invoice_approve, invoice_reject
from portal.marketplace.invoicing.models import Invoice, SessionStatus
from portal.marketplace.invoicing.sessions import session_confirm, session_dispute, sessions_confirm_month
from portal.marketplace.payments.models import Payment
from portal.marketplace.payments.services import funding_would_exceed, payment_mark_paid
from portal.tenants.roles import Role

from .common import pdf_response
from .forms import ConfirmMonthForm, ReasonForm

FAMILY = (Role.PERSON, Role.LEGAL_REPRESENTATIVE, Role.SUPPORT_PERSON)


@member_required(*FAMILY)
def sessions(request, *, month_form=None):
    """Sessions delivered to the person (or the persons the user acts for), with "confirm all" per month."""
    status = request.GET.get("status", "")
    qs = access.sessions_for_family(request.user).select_related("agreement__person", "agreement__service",
                                                                  "agreement__provider")
    if status in SessionStatus.values:
        qs = qs.filter(status=status)
    page = Paginator(qs.order_by("-date", "-id"), 25).get_page(request.GET.get("page"))
    return render(request, "invoicing/family_sessions.html", {
        "page": page, "status": status, "statuses": SessionStatus.choices,
        "months": selectors.months_to_confirm(deciding_persons(request.user)),
        "form": month_form or ConfirmMonthForm()}, status=400 if month_form is not None else 200)


@require_POST
@member_required(*FAMILY)
def sessions_confirm_month_view(request):
    """Confirm every recorded session of one month at once (disputed ones stay to be decided one by one)."""
    form = ConfirmMonthForm(request.POST)
    if form.is_valid():
        try:
            done = sessions_confirm_month(actor=request.user, month=form.cleaned_data["month"],
                                          agreement_id=form.cleaned_data.get("agreement"))
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            if done:
                messages.success(request, ngettext("Thank you: %(n)s session is confirmed.",
                                                   "Thank you: %(n)s sessions are confirmed.", len(done))
                                 % {"n": len(done)})
            else:
                messages.info(request, _("No session of that month waited for your confirmation."))
            return redirect("invoicing:family-sessions")
    return sessions(request, month_form=form)


@member_required(*FAMILY)
def session(request, session_id):
    item = access.session_for_family(request.user, session_id)
    capacity = access.capacity_for_session(request.user, item)
    may_decide = capacity in access.DECIDING_CAPACITIES
    form = ReasonForm(request.POST if request.POST.get("action") == "dispute" else None)
    error = None
    if request.method == "POST":
        try:
            if request.POST.get("action") == "confirm":
                session_confirm(session=item, actor=request.user)
                messages.success(request, _("Thank you: the session is confirmed."))
                return redirect("invoicing:family-session", session_id=item.pk)
            if form.is_valid():
                session_dispute(session=item, reason=form.cleaned_data["reason"], actor=request.user)
                messages.success(request, _("The session is disputed. The provider will see your reason."))
                return redirect("invoicing:family-session", session_id=item.pk)
        except DomainError as exc:
            if form.is_bound and form.is_valid():
                apply_domain_error(form, exc)
            else:
                error = exc.message
            item = access.session_for_family(request.user, session_id)
    return render(request, "invoicing/family_session.html", {"session": item, "form": form, "error": error,
                                                             "may_decide": may_decide},
                  status=400 if (error or form.errors) else 200)


@member_required(Role.FINANCE_OFFICER)
def queue(request):
    """Invoices to approve, oldest first; those older than the municipality's target are marked."""
    status = request.GET.get("status", "submitted")
    status = status if status in Invoice.Status.values and status != "draft" else ""
    query = request.GET.get("q", "").strip()[:100]
    page = Paginator(selectors.finance_queue(status=status, query=query), 25).get_page(request.GET.get("page"))
    target = selectors.approval_target_days()
    rows = [(inv, selectors.is_overdue(inv, target)) for inv in page]
    statuses = [(v, label) for v, label in Invoice.Status.choices if v != "draft"]
    return render(request, "invoicing/finance_queue.html", {
        "page": page, "rows": rows, "status": status, "statuses": statuses, "query": query, "target": target})


@member_required(Role.FINANCE_OFFICER)
def invoice(request, invoice_id):
    item = access.invoice_for_finance(request.user, invoice_id)
    form = ReasonForm(request.POST if request.POST.get("action") == "reject" else None)
    error = None
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "approve":
                invoice_approve(invoice=item, actor=request.user)
                messages.success(request, _("The invoice is approved and the amount is paid from the budget."))
                return redirect("invoicing:finance-invoice", invoice_id=item.pk)
            if action == "paid":
                payment_mark_paid(invoice=item, actor=request.user)  # the payment and its entries follow
                messages.success(request, _("The payment is recorded."))
                return redirect("invoicing:finance-invoice", invoice_id=item.pk)
            if action == "reject" and form.is_valid():
                invoice_reject(invoice=item, reason=form.cleaned_data["reason"], actor=request.user)
                messages.success(request, _("The invoice is rejected. The provider sees your reason."))
                return redirect("invoicing:finance-invoice", invoice_id=item.pk)
        except DomainError as exc:
            if action == "reject":
                apply_domain_error(form, exc)
            else:
                error = exc.message
        item = access.invoice_for_finance(request.user, invoice_id)
    result = selectors.invoice_check(item)
    lines = [(line, result.lines.get(line.pk, [])) for line in item.lines.select_related("session")]
    overdue = selectors.is_overdue(item, selectors.approval_target_days())
    return render(request, "invoicing/finance_invoice.html", {
        "invoice": item, "agreement": item.agreement, "lines": lines, "result": result, "form": form,
        "error": error, "timeline": selectors.timeline(item), "overdue": overdue,
        "payment": Payment.objects.filter(invoice=item).first(),
        "funding_short": item.status == Invoice.Status.SUBMITTED and funding_would_exceed(item.budget_amount)},
        status=400 if (error or form.errors) else 200)


@member_required(Role.FINANCE_OFFICER)
def invoice_pdf(request, invoice_id):
    item = access.invoice_for_finance(request.user, invoice_id)
    return pdf_response(invoice_pdf_bytes(item), f"rekins-{item.number}.pdf")
