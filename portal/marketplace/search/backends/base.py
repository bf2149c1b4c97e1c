"""The interface every search backend implements."""

from __future__ import annotations

from ..query import Scope, SearchQuery, SearchResult


class CatalogueSearch:
    """Search the service catalogue.

    ``search(query, scope)`` filters, ranks, sorts, paginates and counts facets;
    ``scope`` (built by ``selectors.search_scope``) limits it to what the site
    and the user may see. Backends that keep their own index also implement
    ``sync(index=ids, delete=ids)`` and ``rebuild_index(out=None)``.
    """

    name = "abstract"

    def search(self, query: SearchQuery, scope: Scope) -> SearchResult:  # pragma: no cover - interface
        raise NotImplementedError
