"""CatalogueSearch: PostgreSQL and Elasticsearch backends, the search documents.

``get_search()`` returns the configured backend: ``SEARCH_BACKEND`` in the
Django settings or ``PORTAL_SEARCH_BACKEND`` in the environment
(``postgresql`` or ``elasticsearch``); when neither is set, Elasticsearch is
used if ``ELASTICSEARCH_URL`` is set, else PostgreSQL.
"""

from __future__ import annotations

import os

from django.conf import settings

_instances: dict = {}


def backend_name() -> str:
    name = getattr(settings, "SEARCH_BACKEND", None) or os.environ.get("PORTAL_SEARCH_BACKEND")
    if not name:
        name = "elasticsearch" if os.environ.get("ELASTICSEARCH_URL") else "postgresql"
    return name


def get_search(name: str | None = None):
    """The ``CatalogueSearch`` backend (one instance per process and backend)."""
    name = name or backend_name()
    key = (name, os.environ.get("ELASTICSEARCH_URL", ""))
    if key not in _instances:
        # Imported here, not at the top: this package's __init__ runs while Django loads the search app's
        # models, before the backends' model imports can, and the Elasticsearch client is optional.
        if name == "elasticsearch":
            from .backends.elastic import ElasticsearchSearch

            url = os.environ.get("ELASTICSEARCH_URL") or "http://127.0.0.1:9200"
            _instances[key] = ElasticsearchSearch(url, index_prefix=os.environ.get("PORTAL_SEARCH_INDEX_PREFIX", ""))
        else:
            from .backends.postgres import PostgresSearch

            _instances[key] = PostgresSearch()
    return _instances[key]


def warm_up():
    """Start loading the PostgreSQL backend's in-memory index in the background (a server process
    starting); returns the loading thread, or None when the configured backend keeps nothing in memory."""
    memory = getattr(get_search(), "memory", None)
    return memory.warm() if memory is not None else None
