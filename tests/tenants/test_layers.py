"""The domain packages never import the delivery layers (``portal.frontend``, ``portal.api``).

Every import counts, at module level or inside a function. The URL configurations and the ASGI
application are where the platform wires the layers together, so they may.
"""

import ast
from pathlib import Path

PORTAL = Path(__file__).resolve().parents[2] / "portal"
DOMAIN_PACKAGES = ("tenants", "marketplace", "budgets", "platform")
DELIVERY_LAYERS = ("portal.frontend", "portal.api")
WIRING = {"platform/urls_public.py", "platform/urls_tenant.py", "platform/accounts/urls.py", "platform/asgi.py"}


def _module_name(path: Path) -> str:
    parts = path.relative_to(PORTAL.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(path: Path, source: str | None = None) -> list[str]:
    """Every module ``path`` imports, anywhere in the file, relative imports resolved."""
    module = _module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    source = path.read_text(encoding="utf-8") if source is None else source
    found = []
    for node in ast.walk(ast.parse(source, filename=str(path))):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # "from ..x import y": climb level - 1 packages up from this one
                anchor = package.rsplit(".", node.level - 1)[0]
                base = f"{anchor}.{base}" if base else anchor
            found.append(base)
            found += [f"{base}.{alias.name}" for alias in node.names]
    return found


def _domain_modules():
    for name in DOMAIN_PACKAGES:
        for path in sorted((PORTAL / name).rglob("*.py")):
            if path.relative_to(PORTAL).as_posix() not in WIRING:
                yield path


def _is_delivery(module: str) -> bool:
    return any(module == layer or module.startswith(layer + ".") for layer in DELIVERY_LAYERS)


def test_imports_inside_functions_and_relative_imports_are_seen():
    path = PORTAL / "marketplace" / "agreements" / "services.py"
    source = "def f():\n    from ...frontend import views\n    import portal.api.urls\n"
    assert {"portal.frontend", "portal.frontend.views", "portal.api.urls"} <= set(imported_modules(path, source))


def test_domain_code_does_not_import_the_web_or_api_layer():
    offending = {
        path.relative_to(PORTAL).as_posix(): sorted({m for m in imported_modules(path) if _is_delivery(m)})
        for path in _domain_modules()
    }
    assert {path: modules for path, modules in offending.items() if modules} == {}
