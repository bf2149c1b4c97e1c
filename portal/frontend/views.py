"""HTML views for the foundation: landing pages, dashboards, errors, audit log.
Thin: they read through selectors and checkpoints, never save models directly."""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import JsonResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django_tenants.middleware.main import TenantMainMiddleware
from drf_spectacular.generators import SchemaGenerator

from portal.notifications.todo import todo_for
from portal.marketplace.payments.reconciliation import finance_attention
from portal.platform.core.models import AuditEvent
from portal.tenants.access import current_municipality, municipality_ids_for, national_roles, roles_for
from portal.tenants.models import Municipality, PlanningRegion
from portal.tenants.roles import Role

from . import area_links
from .audit_display import audit_rows
from .dashboards import PANELS
from .decorators import member_required
from .middleware import switch_or_activate
from .notifications.todo import todo_rows


def _site_url(request, hostname: str) -> str:
    port = request.get_port()
    default = "443" if request.is_secure() else "80"
    suffix = f":{port}" if port and port != default else ""
    scheme = "https" if request.is_secure() else "http"
    return f"{scheme}://{hostname}{suffix}/"


def municipality_url(request, municipality) -> str:
    """The absolute URL of a municipality's site, on the same scheme and port as this request."""
    return _site_url(request, f"{municipality.code}.{settings.PORTAL_BASE_DOMAIN}")


def national_url(request) -> str:
    """The national site's address, on the same scheme and port as this request."""
    return _site_url(request, settings.PORTAL_BASE_DOMAIN)


def signed_in_url(request, url: str) -> str:
    """A link to another of the platform's sites that keeps a signed-in person signed in (ADR 0009):
    through the sign-in hand-off when someone is signed in, the plain address otherwise."""
    if not request.user.is_authenticated:
        return url
    return f"{reverse('accounts:handoff')}?{urlencode({'next': url})}"


def _municipalities_by_region(request):
    regions = {value: [] for value in PlanningRegion.values}
    for m in Municipality.objects.exclude(schema_name=settings.PUBLIC_SCHEMA_NAME).order_by("name"):
        regions.setdefault(m.region, []).append((m, signed_in_url(request, municipality_url(request, m))))
    labels = dict(PlanningRegion.choices)
    return [(labels[key], items) for key, items in regions.items() if items]


def home(request):
    municipality = current_municipality()
    if municipality is None:
        return render(request, "frontend/home_national.html", {"regions": _municipalities_by_region(request)})
    return render(request, "frontend/home_municipality.html")


@login_required
def dashboard(request):
    """Every signed-in person lands here on every site, never on a 403: the panels of the roles held on
    this site, provider staff's work in this municipality, and links (signed in) to their other sites."""
    municipality = current_municipality()
    held = roles_for(request.user, municipality)
    extra = area_links()
    panels = [_panel_with_links(PANELS[role], extra.get(role, [])) for role in Role if role in held]
    ids = set(municipality_ids_for(request.user)) - {getattr(municipality, "pk", None)}
    elsewhere = [(m, signed_in_url(request, municipality_url(request, m)))
                 for m in Municipality.objects.filter(pk__in=ids).order_by("name")] if ids else []
    national = None
    if municipality is not None and national_roles(request.user):
        national = signed_in_url(request, national_url(request) + "panelis/")
        if Role.PROVIDER_STAFF in national_roles(request.user):
            panels.append(_provider_here_panel(request))
    todos = todo_for(request.user, municipality)
    watch = None
    if Role.SOCIAL_WORKER in todos:  # the social worker's reviews and alerts, listed from the to-do's own reads
        found = {item.code: item.items for item in todos[Role.SOCIAL_WORKER]}
        watch = {"alerts": list(found["budgets.alerts"]), "reviews": list(found["plans.review"][:50])}
    todo = [(role, todo_rows(items)) for role, items in todos.items()]
    todo = [(role, rows) for role, rows in todo if rows]
    money = finance_attention() if municipality is not None and Role.FINANCE_OFFICER in held else None
    return render(request, "frontend/dashboard.html", {
        "panels": panels, "elsewhere": elsewhere, "watch": watch, "national": national, "todo": todo,
        "multi_role": len(held) > 1, "money": money})


def _provider_here_panel(request):
    """Provider staff on a municipality's site: their agreements here, and their dashboard on the national site."""
    return {"role": Role.PROVIDER_STAFF, "intro": _("Your organisation's agreements with this municipality."),
            "tasks": [], "links": [
                (_("Agreements with this municipality"), reverse("agreements:list")),
                (_("Your provider dashboard on the national site"),
                 signed_in_url(request, national_url(request) + "vienosanas/")),
            ]}


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
        "page": page, "rows": audit_rows(page), "query": query, "action": action,
        "actions": AuditEvent.Action.choices,
    })


_API_REFERENCE: dict = {}


def api_reference(request):
    """The API reference as an ordinary accessible page, from the OpenAPI schema of this site (each site's
    schema describes that site). Swagger UI, at /api/swagger/, fails WCAG (contrast, nested controls)."""
    urlconf = getattr(request, "urlconf", None) or settings.ROOT_URLCONF
    if urlconf not in _API_REFERENCE:  # the schema is fixed for the life of the process
        schema = SchemaGenerator(urlconf=urlconf).get_schema(request=None, public=True)
        groups: dict[str, list] = {}
        for route, item in schema.get("paths", {}).items():
            for method, operation in item.items():
                if method not in ("get", "post", "put", "patch", "delete"):
                    continue
                groups.setdefault((operation.get("tags") or ["api"])[0], []).append({
                    "method": method.upper(), "path": route,
                    "summary": (operation.get("summary") or operation.get("description") or "").strip()
                    .split("\n")[0],
                    "parameters": [p["name"] for p in operation.get("parameters", []) if p.get("in") == "query"],
                })
        _API_REFERENCE[urlconf] = (schema.get("info", {}), sorted(groups.items()))
    info, groups = _API_REFERENCE[urlconf]
    return render(request, "frontend/api_reference.html", {"info": info, "groups": groups})


def _error(request, template: str, status: int, code: str, detail: str):
    """The error page; on the API the documented error envelope (portal.api.schema.ErrorOut) instead."""
    if request.path.startswith("/api/"):
        return JsonResponse({"code": code, "detail": detail}, status=status)
    return render(request, template, status=status)


def page_not_found(request, exception=None):
    return _error(request, "frontend/404.html", 404, "not_found", _("Not found."))


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
    return _error(request, "frontend/500.html", 500, "server_error", _("A server error occurred."))


def forbidden(request, exception=None):
    return _error(request, "frontend/forbidden.html", 403, "permission_denied",
                  _("You do not have permission to perform this action."))


def csrf_failure(request, reason=""):
    return render(request, "frontend/forbidden.html", {"message": _(
        "Your form expired or came from another site. Go back, reload the page and try again.")}, status=403)
