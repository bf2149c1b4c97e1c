"""Budget pages: staff budget list and budget with its ledger, the family's "my budget" and
"my spending history", and the municipality's budget methodology. Thin: reads through
selectors and the checkpoint, writes through services."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.budgets.ledger import selectors
from portal.budgets.ledger.access import budget_for_user, is_budget_staff, persons_with_budget_access
from portal.budgets.ledger.errors import MethodologyInvalid
from portal.budgets.ledger.methodology import LEVELS, methodology_current, methodology_update, rate_table
from portal.budgets.ledger.models import Budget, BudgetCategory, FundingSource, LedgerEntry
from portal.frontend.decorators import member_required
from portal.frontend.forms import apply_domain_error
from portal.tenants.access import current_municipality, roles_for
from portal.tenants.roles import FAMILY_ROLES, STAFF_ROLES, Role

from .forms import MethodologyForm
from .wording import ledger_reference, left_sentence, money

# What each kind of entry means to a family, in plain words.
PLAIN_KIND = {
    LedgerEntry.Kind.GRANT: gettext_lazy("Budget granted"),
    LedgerEntry.Kind.RESERVE: gettext_lazy("Set aside for an agreement with a provider"),
    LedgerEntry.Kind.POST: gettext_lazy("Paid to the provider"),
    LedgerEntry.Kind.VOID: gettext_lazy("Released back to your budget"),
    LedgerEntry.Kind.CLOSE: gettext_lazy("Returned at the end of the period"),
    LedgerEntry.Kind.REFUND: gettext_lazy("A payment was cancelled: set aside for the agreement again"),
}
PER_PAGE = 25


def _service_names(category: BudgetCategory) -> list[str]:
    return [t.name for t in category.service_types.all()]


@member_required(*STAFF_ROLES)
def budget_list(request):
    """Staff: every budget in the municipality, searchable by name or personal code."""
    query = request.GET.get("q", "").strip()[:100]
    status = request.GET.get("status", "")
    page = Paginator(selectors.budget_list(query=query, status=status), PER_PAGE).get_page(request.GET.get("page"))
    rows = []
    for budget in page:
        cats = list(budget.categories.all())
        totals = selectors.totals(selectors.balances(budget, cats))
        rows.append({"budget": budget, **{k: money(v) for k, v in totals.items()}})
    return render(request, "budgets/budget_list.html", {
        "page": page, "rows": rows, "query": query, "status": status, "statuses": Budget.Status.choices})


@member_required(*STAFF_ROLES, *FAMILY_ROLES)
def budget_detail(request, budget_id: int):
    """The budget's balances per category and its ledger, filterable by category and kind, paginated."""
    budget = budget_for_user(request.user, budget_id, request=request)
    staff = is_budget_staff(request.user)
    categories = selectors.categories_of(budget)
    rows = selectors.balances(budget, categories)
    kind = request.GET.get("kind", "")
    category_id = request.GET.get("category", "")
    category_id = int(category_id) if category_id.isdigit() and any(
        c.pk == int(category_id) for c in categories) else None
    entries = selectors.ledger_entries(budget, kind=kind, category_id=category_id)
    page = Paginator(entries, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "budgets/budget_detail.html", {
        "budget": budget, "staff": staff,
        "rows": [_row(r) for r in rows], "totals": {k: money(v) for k, v in selectors.totals(rows).items()},
        "page": page, "entries": [_entry(e) for e in page],
        "kinds": LedgerEntry.Kind.choices, "kind": kind, "categories": categories, "category_id": category_id,
        "funding": [{"name": f["name_en"] if (get_language() or "lv").startswith("en") else f["name_lv"],
                     "share": f["share_percent"], "amount": money(f["amount"])} for f in budget.funding],
    })


def _row(row):
    return {"category": row.category, "services": _service_names(row.category), "granted": money(row.granted),
            "reserved": money(row.reserved), "spent": money(row.spent), "returned": money(row.returned),
            "available": money(row.available), "used_percent": row.used_percent}


def _entry(entry):
    return {"entry": entry, "amount": money(entry.amount), "plain": PLAIN_KIND[entry.kind],
            "when": entry.created_at, "reference": ledger_reference(entry.reference)}


@member_required(*STAFF_ROLES, *FAMILY_ROLES)
def person_budget(request, person_id: int):
    """The current budget of a person (a link target for the person page): redirect to it, or say there is none."""
    person = persons_with_budget_access(request.user).filter(pk=person_id).first() if str(person_id).isdigit() \
        else None
    if person is None:
        raise Http404
    budget = selectors.current_budget(person) or person.budgets.order_by("-period_start", "-pk").first()
    if budget is not None:
        return redirect("budgets:budget", budget_id=budget.pk)
    return render(request, "budgets/no_budget.html", {"person": person})


@member_required(*FAMILY_ROLES)
def my_budget(request):
    """The family's view: for each person they act for, what is left per category and until when."""
    persons = list(persons_with_budget_access(request.user).order_by("last_name", "first_name", "pk"))
    people = []
    for person in persons:
        budget = selectors.current_budget(person)
        item = {"person": person, "self": person.user_id == request.user.pk, "budget": budget, "sentences": []}
        if budget is not None:
            rows = selectors.balances(budget, selectors.categories_of(budget))
            name = None if item["self"] else person.full_name
            item["rows"] = [_row(r) for r in rows]
            item["totals"] = {k: money(v) for k, v in selectors.totals(rows).items()}
            item["sentences"] = [left_sentence(available=r.available, services=_service_names(r.category),
                                               until=r.until, person_name=name) for r in rows]
        people.append(item)
    return render(request, "budgets/my_budget.html", {"people": people, "heading": _my_budget_heading(people)})


def _my_budget_heading(people) -> str:
    """"My budget" only for one's own; a legal representative reads "The child's budget" or "The person's
    budget", and someone acting for several people "Budgets"."""
    others = [item["person"] for item in people if not item["self"]]
    if not others:
        return _("My budget")
    if len(people) == 1:
        return _("The child's budget") if others[0].is_child else _("The person's budget")
    return _("Budgets")


@member_required(*FAMILY_ROLES)
def my_history(request):
    """The family's spending history: every reservation, payment, release and return, newest first."""
    persons = persons_with_budget_access(request.user)
    entries = (LedgerEntry.objects.filter(budget__person__in=persons.values("pk"))
               .exclude(kind=LedgerEntry.Kind.GRANT)
               .select_related("category", "budget__person").order_by("-created_at", "-pk"))
    page = Paginator(entries, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "budgets/my_history.html", {"page": page, "entries": [_entry(e) for e in page],
                                                        "several": persons.count() > 1})


@member_required(*STAFF_ROLES)
def methodology(request):
    """The budget methodology: the administrator edits it, other staff read it. Edits affect only new grants."""
    may_edit = Role.MUNICIPALITY_ADMIN in _held(request)
    current = methodology_current()
    rates = rate_table()
    sources = list(FundingSource.objects.all())
    if request.method == "POST":
        if not may_edit:
            return render(request, "frontend/forbidden.html", status=403)
        form = MethodologyForm(request.POST, methodology=current, rates=rates, sources=sources)
        if form.is_valid():
            try:
                methodology_update(actor=request.user, request=request, **form.service_arguments())
            except MethodologyInvalid as error:
                apply_domain_error(form, error, fields=form.error_fields)
            else:
                return redirect(f"{request.path}?saved=1")
    else:
        form = MethodologyForm(methodology=current, rates=rates, sources=sources)
    return render(request, "budgets/methodology.html", {
        "form": form, "may_edit": may_edit, "methodology": current, "levels": LEVELS,
        "rate_rows": form.rate_rows(), "funding_rows": form.funding_rows(), "saved": request.GET.get("saved"),
    })


def _held(request):
    return roles_for(request.user, current_municipality())

