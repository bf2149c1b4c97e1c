"""The layering contract: which part of the portal may import which (docs/architecture.md, Dependencies).

Every module under ``portal/`` belongs to one area: the area with the longest matching module prefix in
``LAYERS``. A module may import its own area and the areas its area lists, and nothing else in ``portal``.
Every import counts: at module level or inside a function, absolute or relative. ``LAYERS`` is ordered
from the ground floor up and an area may only list areas below it, so the dependencies run one way.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

PORTAL = Path(__file__).resolve().parents[2] / "portal"


@dataclass(frozen=True)
class Area:
    name: str
    modules: tuple[str, ...]  # module prefixes: "portal.tenants" holds portal.tenants and portal.tenants.*
    may_import: tuple[str, ...]


CORE = ("core", "tenants")
DOMAIN = ("core", "tenants", "outbox", "catalogue", "registry", "approvals", "people", "ledger", "plans",
          "agreements", "invoicing", "search", "payments", "stripe_connect", "statistics", "notifications")

LAYERS = (
    Area("core", ("portal.platform.core", "portal.platform.accounts", "portal.platform.connections"), ()),
    Area("tenants", ("portal.tenants",), ("core",)),
    # Background work: the transactional outbox and the Celery app with its per-municipality task wrapper.
    Area("outbox", ("portal.platform.outbox", "portal.platform.background"), CORE),
    Area("catalogue", ("portal.marketplace.catalogue",), ("outbox", *CORE)),
    Area("registry", ("portal.marketplace.registry",), ("outbox", *CORE)),
    Area("approvals", ("portal.marketplace.approvals",), ("catalogue", "outbox", *CORE)),
    Area("people", ("portal.budgets.people",), ("catalogue", "outbox", *CORE)),
    Area("ledger", ("portal.budgets.ledger",), ("people", "catalogue", "outbox", *CORE)),
    # Approving a plan grants its budget in the same transaction: the plan services sit above the ledger.
    Area("plans", ("portal.budgets.people.plans", "portal.budgets.people.services"),
         ("ledger", "people", "catalogue", "outbox", *CORE)),
    Area("agreements", ("portal.marketplace.agreements",),
         ("ledger", "people", "approvals", "catalogue", "outbox", *CORE)),
    Area("invoicing", ("portal.marketplace.invoicing",),
         ("agreements", "registry", "ledger", "people", "approvals", "catalogue", "outbox", *CORE)),
    # Payments answer invoicing's approval signal (invoicing.signals.invoice_approved) in its transaction.
    Area("payments", ("portal.marketplace.payments",),
         ("invoicing", "agreements", "registry", "ledger", "people", "approvals", "catalogue", "outbox", *CORE)),
    Area("search", ("portal.marketplace.search",), ("approvals", "ledger", "people", "catalogue", "outbox", *CORE)),
    Area("stripe_connect", ("portal.marketplace.stripe_connect",),
         ("payments", "agreements", "catalogue", "outbox", *CORE)),
    # To-do lists read every area's data; notifications follow every area's outbox events.
    Area("notifications", ("portal.notifications",),
         ("payments", "invoicing", "agreements", "registry", "ledger", "people", "approvals", "catalogue", "outbox",
          *CORE)),
    # The ministry's statistics read every tenant area's rows into the public cube.
    Area("statistics", ("portal.statistics",),
         ("invoicing", "agreements", "ledger", "people", "approvals", "catalogue", "outbox", *CORE)),
    # Delivery: the JSON API and the HTML pages use the domain, never each other.
    Area("api", ("portal.api",), DOMAIN),
    Area("frontend", ("portal.frontend",), DOMAIN),
    Area("demo", ("portal.demo",), DOMAIN),
    # The project wires everything together: settings, URL configurations, ASGI/WSGI, the CLI and serving,
    # the embedded servers, health, i18n, the worker's start-up.
    Area("project", ("portal.platform", "portal.platform.background.worker"), (*DOMAIN, "api", "frontend", "demo")),
)
# Empty namespace packages: they hold no code, anyone may import them.
NAMESPACES = {"portal", "portal.marketplace", "portal.budgets"}

BY_NAME = {area.name: area for area in LAYERS}


def module_name(path: Path) -> str:
    parts = path.relative_to(PORTAL.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def portal_modules() -> dict[str, Path]:
    return {module_name(path): path for path in sorted(PORTAL.rglob("*.py"))}


def area_of(module: str) -> Area | None:
    best, length = None, -1
    for area in LAYERS:
        for prefix in area.modules:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > length:
                best, length = area, len(prefix)
    return best


def imports(module: str, source: str, *, is_package: bool = False) -> list[tuple[str, int]]:
    """``(imported module, line)`` for every import of a ``portal`` module in ``source``, anywhere in it.

    ``from x import y`` counts as importing ``x.y`` when that is a module, else ``x``; relative imports are
    resolved against ``module``'s package.
    """
    package = module if is_package else module.rpartition(".")[0]
    known = portal_modules()
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # "from ..x import y": climb level - 1 packages up from this one
                anchor = package.rsplit(".", node.level - 1)[0]
                base = f"{anchor}.{base}" if base else anchor
            for alias in node.names:
                target = f"{base}.{alias.name}"
                found.append((target if target in known else base, node.lineno))
    return [(target, line) for target, line in dict.fromkeys(found) if target == "portal" or target.startswith("portal.")]


def violations(module: str, source: str, *, is_package: bool = False) -> list[str]:
    """What in ``source`` (the text of ``module``) breaks the contract, one sentence each."""
    area = area_of(module)
    if area is None:
        return [] if module in NAMESPACES and not imports(module, source, is_package=True) else [
            f"{module} belongs to no area: add it to LAYERS in tests/platform/test_layers.py"]
    found = []
    for target, line in imports(module, source, is_package=is_package):
        if target in NAMESPACES:
            continue
        other = area_of(target)
        if other is None:
            found.append(f"{module}:{line} imports {target}, which belongs to no area in LAYERS")
        elif other is not area and other.name not in area.may_import:
            allowed = ", ".join(area.may_import) or "nothing else in portal"
            found.append(f"{module}:{line} imports {target}: {area.name} must not import {other.name} "
                         f"({area.name} may import {allowed})")
    return found


def test_the_contract_runs_one_way():
    seen = set()
    for area in LAYERS:
        assert set(area.may_import) <= seen, f"{area.name} may only import areas listed before it in LAYERS"
        seen.add(area.name)


def test_every_module_keeps_the_contract():
    found = []
    for module, path in portal_modules().items():
        found += violations(module, path.read_text(encoding="utf-8"), is_package=path.name == "__init__.py")
    assert not found, "The layering contract is broken (docs/architecture.md, Dependencies):\n" + "\n".join(found)


@pytest.mark.parametrize(("module", "source", "message"), [
    ("portal.budgets.ledger.services", "from portal.budgets.people.plans import plan_approve",
     ("portal.budgets.ledger.services:1 imports portal.budgets.people.plans: ledger must not import plans "
      "(ledger may import people, catalogue, outbox, core, tenants)")),
    ("portal.marketplace.agreements.services", "def f():\n    from ...frontend import views\n",
     "portal.marketplace.agreements.services:2 imports portal.frontend.views: agreements must not import frontend"),
    ("portal.frontend.people.views", "import portal.api.urls",
     "portal.frontend.people.views:1 imports portal.api.urls: frontend must not import api"),
    ("portal.platform.core.models", "from portal.tenants.models import Municipality",
     ("portal.platform.core.models:1 imports portal.tenants.models: core must not import tenants "
      "(core may import nothing else in portal)")),
    ("portal.budgets.people.models", "from portal.budgets.ledger import services",
     "portal.budgets.people.models:1 imports portal.budgets.ledger.services: people must not import ledger"),
])
def test_a_forbidden_import_is_named_with_its_rule(module, source, message):
    found = violations(module, source)
    assert len(found) == 1 and found[0].startswith(message), found


def test_allowed_imports_pass():
    assert violations("portal.budgets.people.plans", "from portal.budgets.ledger.services import budget_grant") == []
    assert violations("portal.budgets.ledger.access", "from portal.budgets.people.access import persons_for_user") == []
    assert violations("portal.marketplace.invoicing.apps", "def ready(self):\n    from . import signals\n") == []
    assert violations("portal.platform.urls_tenant", "from portal.frontend import urls") == []


def test_a_module_outside_every_area_is_reported():
    assert violations("portal.newthing.models", "") == [
        "portal.newthing.models belongs to no area: add it to LAYERS in tests/platform/test_layers.py"]
