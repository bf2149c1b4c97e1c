"""HTML views for the foundation: landing pages, dashboards, errors, audit log.
Thin: they read through selectors and checkpoints, never save models directly."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.middleware.main import TenantMainMiddleware

from portal.budgets.ledger.selectors import plans_review_due
from portal.marketplace.invoicing.oversight import budget_alerts
from portal.marketplace.payments.reconciliation import finance_attention
from portal.platform.core.models import AuditEvent
from portal.tenants.access import current_municipality, roles_for
from portal.tenants.models import Municipality, PlanningRegion
from portal.tenants.roles import Role

from . import area_links
from .dashboards import PANELS
from .decorators import member_required
from .middleware import switch_or_activate


def municipality_url(request, municipality) -> str:
    """The absolute URL of a municipality's site, on the same scheme and port as this request."""
    port = request.get_port()
    default = "443" if request.is_secure() else "80"
    suffix = f":{port}" if port and port != default else ""
    scheme = "https" if request.is_secure() else "http"
    return f"{scheme}://{municipality.code}.{settings.PORTAL_BASE_DOMAIN}{suffix}/"


def _municipalities_by_region(request):
    regions = {value: [] for value in PlanningRegion.values}
    for m in Municipality.objects.exclude(schema_name=settings.PUBLIC_SCHEMA_NAME).order_by("name"):
        regions.setdefault(m.region, []).append((m, municipality_url(request, m)))
    labels = dict(PlanningRegion.choices)
    return [(labels[key], items) for key, items in regions.items() if items]


def home(request):
    municipality = current_municipality()
    if municipality is None:
        return render(request, "frontend/home_national.html", {"regions": _municipalities_by_region(request)})
    return render(request, "frontend/home_municipality.html")


@login_required
def dashboard(request):
    municipality = current_municipality()
    held = roles_for(request.user, municipality)
    if municipality is not None and not held:
        return render(request, "frontend/forbidden.html", status=403)
    extra = area_links()
    panels = [_panel_with_links(PANELS[role], extra.get(role, [])) for role in Role if role in held]
    elsewhere = []
    if municipality is None:
        ids = {m.municipality_id for m in request.user.memberships.all() if m.municipality_id}
        elsewhere = [(m, municipality_url(request, m)) for m in Municipality.objects.filter(pk__in=ids)]
    watch = None
    if municipality is not None and Role.SOCIAL_WORKER in held:
        today = timezone.localdate()
        watch = {"alerts": budget_alerts(today=today, social_worker=request.user),
                 "reviews": list(plans_review_due(today=today, social_worker=request.user)[:50])}
    money = finance_attention() if municipality is not None and Role.FINANCE_OFFICER in held else None
    return render(request, "frontend/dashboard.html", {"panels": panels, "elsewhere": elsewhere, "watch": watch,
                                                       "money": money})


def _panel_with_links(panel, extra):
    """The panel with its links resolved on this site; a link to a page the site lacks is left out."""
    links = []
    for label, name in [*panel.links, *extra]:
        try:
            links.append((label, reverse(name)))
        except NoReverseMatch:
            continue
    return {"role": panel.role, "intro": panel.intro, "tasks": panel.tasks, "links": links}


def municipalities(request):
    return render(request, "frontend/municipalities.html", {"regions": _municipalities_by_region(request)})


@member_required(Role.MUNICIPALITY_ADMIN)
def audit_log(request):
    """The municipality administrator searches who read or changed what, and when."""
    events = AuditEvent.objects.all()
    query = request.GET.get("q", "").strip()
    if query:
        events = events.filter(Q(actor_label__icontains=query) | Q(summary__icontains=query)
                               | Q(object_type__icontains=query) | Q(object_id=query))
    action = request.GET.get("action", "")
    if action in AuditEvent.Action.values:
        events = events.filter(action=action)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(request, "frontend/audit_log.html", {
        "page": page, "query": query, "action": action, "actions": AuditEvent.Action.choices,
    })


def page_not_found(request, exception=None):
    return render(request, "frontend/404.html", status=404)


def unknown_host(request):
    """A host that names no municipality: a plain, translated 404, never a stack trace, whatever DEBUG says.

    django-tenants' ``MunicipalityMiddleware`` calls it (``DEFAULT_NOT_FOUND_TENANT_VIEW``) before the
    language middleware runs, so the language is chosen here.
    """
    redirect = switch_or_activate(request)
    if redirect is not None:
        return redirect
    hostname = TenantMainMiddleware.hostname_from_request(request)
    return render(request, "frontend/unknown_host.html", {"hostname": hostname}, status=404)


def server_error(request):
    return render(request, "frontend/500.html", status=500)


def forbidden(request, exception=None):
    return render(request, "frontend/forbidden.html", status=403)


def csrf_failure(request, reason=""):
    return render(request, "frontend/forbidden.html", {"message": _(
        "Your form expired or came from another site. Go back, reload the page and try again.")}, status=403)
