"""HTML delivery: views, forms, templates, static files, websocket consumers.

Each feature area has its own sub-package ``portal/frontend/<area>/`` with
``urls.py`` (``public_urlpatterns`` and ``tenant_urlpatterns``; the URL
namespace is the area's name) and ``links.py`` (what the area adds to each
role's dashboard)."""

from importlib import import_module

AREA_NAMES = ("catalogue", "search", "people", "budgets", "agreements", "invoicing", "payments", "stripe_connect", "statistics", "notifications")


def area_urls(site: str):
    """(area, patterns) for the national site (``"public"``) or a municipality's (``"tenant"``)."""
    return [(name, getattr(import_module(f"portal.frontend.{name}.urls"), f"{site}_urlpatterns"))
            for name in AREA_NAMES]


def area_links():
    """{Role: [(label, url name)]} gathered from every area's ``links.py``."""
    links: dict = {}
    for name in AREA_NAMES:
        for role, entries in import_module(f"portal.frontend.{name}.links").LINKS.items():
            links.setdefault(role, []).extend(entries)
    return links
