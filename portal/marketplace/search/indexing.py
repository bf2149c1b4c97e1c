"""Keeping the search documents in step with the catalogue.

``schedule(...)`` is called from catalogue signals; it gathers the changed
service and provider ids of the current transaction and indexes them once,
after the commit (``transaction.on_commit``) — a rolled-back change is never
indexed. ``rebuild()`` rebuilds everything (``portal reindex``, the demo).
The Elasticsearch index, when configured, is fed from the same documents.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.db import connection, transaction

from portal.marketplace.catalogue.models import Provider, Service
from portal.tenants.models import Municipality

from . import get_search
from .models import ARRAY_COLUMNS, SearchDocument, SearchTerm
from .text import fold, stem, stems, tokens

log = logging.getLogger(__name__)

BATCH = 1000
_SUMMARY = 280
# Words families use for the target groups and delivery modes, so "bērniem" or "tiešsaistē" find them.
_GROUP_WORDS = {"children": "bērni bērniem bērnu children", "adults": "pieaugušie pieaugušajiem pieaugušo adults"}
_MODE_WORDS = {"home": "mājās dzīvesvietā at home", "online": "tiešsaistē attālināti online",
               "provider": "pie sniedzēja"}


class _Batch:
    """The ids changed in one transaction; called once on commit."""

    def __init__(self):
        self.services: set[int] = set()
        self.providers: set[int] = set()

    def __call__(self):
        if getattr(connection, "_search_batch", None) is self:
            connection._search_batch = None
        try:
            index_changes(service_ids=self.services, provider_ids=self.providers)
        except Exception:  # indexing must never break the write that triggered it; reindex repairs
            log.exception("search indexing failed for services %s providers %s", self.services, self.providers)


def schedule(*, service_ids: Iterable[int] = (), provider_ids: Iterable[int] = ()) -> None:
    """Index these services (and every service of these providers) after the current transaction commits."""
    batch = getattr(connection, "_search_batch", None)
    registered = batch is not None and connection.in_atomic_block and any(
        entry[1] is batch for entry in connection.run_on_commit)
    if registered:
        batch.services.update(service_ids)
        batch.providers.update(provider_ids)
        return
    batch = _Batch()
    batch.services.update(service_ids)
    batch.providers.update(provider_ids)
    if connection.in_atomic_block:
        connection._search_batch = batch
    transaction.on_commit(batch)  # runs at once outside a transaction


def index_changes(*, service_ids: Iterable[int] = (), provider_ids: Iterable[int] = ()) -> int:
    ids = set(service_ids)
    if provider_ids:
        ids.update(Service.objects.filter(provider_id__in=list(provider_ids)).values_list("pk", flat=True))
    return index_services(ids)


def index_services(service_ids: Iterable[int]) -> int:
    """(Re)build the documents of these services; documents of deleted services are removed."""
    ids = sorted(set(service_ids))
    written = 0
    for start in range(0, len(ids), BATCH):
        chunk = ids[start:start + BATCH]
        docs = _build(chunk)
        found = {d.service_id for d in docs}
        gone = [i for i in chunk if i not in found]
        if gone:
            SearchDocument.objects.filter(service_id__in=gone).delete()
        _write(docs)
        _elastic_sync(found, gone)
        written += len(docs)
    return written


def rebuild(*, out=None) -> int:
    """Rebuild every document from the catalogue; remove documents of services that no longer exist."""
    ids = list(Service.objects.order_by("pk").values_list("pk", flat=True))
    SearchDocument.objects.exclude(service_id__in=ids).delete()
    written = 0
    for start in range(0, len(ids), BATCH):
        chunk = ids[start:start + BATCH]
        docs = _build(chunk)
        _write(docs)
        written += len(docs)
    backend = get_search()
    if hasattr(backend, "rebuild_index"):
        backend.rebuild_index(out=out)
    return written


def _municipality_names() -> dict[str, str]:
    return dict(Municipality.objects.values_list("code", "name"))


def _build(ids: list[int]) -> list[SearchDocument]:
    names = _municipality_names()
    services = (Service.objects.filter(pk__in=ids).select_related("provider", "service_type")
                .prefetch_related("locations"))
    docs = []
    for s in services:
        p, t = s.provider, s.service_type
        locations = s.places()
        located = [loc for loc in locations if loc.latitude is not None and loc.longitude is not None]
        first = located[0] if located else (locations[0] if locations else None)
        municipalities = sorted(set(p.municipalities_served))
        accessibility = set(p.accessibility_features)
        for loc in locations:
            accessibility.update(loc.accessibility_features)
        if "sgn" in (p.languages or []):
            accessibility.add("sign_language")
        title_part = " ".join([s.title_lv, s.title_en, t.name_lv, t.name_en])
        place_part = " ".join([p.name, *(names.get(c, c) for c in municipalities),
                               *(f"{loc.name} {loc.address} {names.get(loc.municipality_code, '')}"
                                 for loc in locations)])
        text_part = " ".join([s.description_lv, s.description_en, s.schedule,
                              *(_GROUP_WORDS.get(g, "") for g in s.target_groups or []),
                              *(_MODE_WORDS.get(m, "") for m in s.delivery_modes or [])])
        doc = SearchDocument(
            service_id=s.pk,
            is_listed=bool(s.is_active and p.status == Provider.Status.VERIFIED),
            provider_id=p.pk, provider_name=p.name, provider_slug=p.slug,
            service_type_code=t.code, service_type_name_lv=t.name_lv, service_type_name_en=t.name_en,
            title_lv=s.title_lv, title_en=s.title_en,
            summary_lv=_summary(s.description_lv), summary_en=_summary(s.description_en),
            target_groups=sorted(s.target_groups or []), min_age=s.min_age, max_age=s.max_age,
            delivery_modes=sorted(s.delivery_modes or []), languages=sorted(p.languages or []),
            municipalities=municipalities, accessibility=sorted(accessibility),
            unit=s.unit, unit_price=s.unit_price, free_places=s.free_places, waiting_weeks=s.waiting_weeks,
            has_free_places=bool(s.free_places),
            latitude=float(first.latitude) if first and first.latitude is not None else None,
            longitude=float(first.longitude) if first and first.longitude is not None else None,
            place=(first.address if first else "")[:250],
            search_title=fold(" ".join([s.title_lv, t.name_lv, p.name])),
            modified_at=max(s.modified_at, p.modified_at),
        )
        doc._weighted = (" ".join(stems(title_part)), " ".join(stems(place_part)), " ".join(stems(text_part)))
        doc._words = set(tokens(" ".join([title_part, place_part, text_part])))
        docs.append(doc)
    return docs


def _summary(text: str) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= _SUMMARY else text[:_SUMMARY].rsplit(" ", 1)[0] + " …"


# (column, SQL array type of the unnest parameter, expression turning it back into the column's type)
_COLUMNS = [
    ("service_id", "bigint"), ("is_listed", "boolean"), ("provider_id", "bigint"), ("provider_name", "text"),
    ("provider_slug", "text"), ("service_type_code", "text"), ("service_type_name_lv", "text"),
    ("service_type_name_en", "text"), ("title_lv", "text"), ("title_en", "text"), ("summary_lv", "text"),
    ("summary_en", "text"), ("target_groups", "text"), ("min_age", "integer"), ("max_age", "integer"),
    ("delivery_modes", "text"), ("languages", "text"), ("municipalities", "text"), ("accessibility", "text"),
    ("unit", "text"), ("unit_price", "numeric"), ("free_places", "integer"), ("waiting_weeks", "integer"),
    ("has_free_places", "boolean"), ("latitude", "double precision"), ("longitude", "double precision"),
    ("place", "text"), ("search_title", "text"), ("modified_at", "timestamptz"),
]


def _write(docs: list[SearchDocument]) -> None:
    """Upsert the documents in one statement, the weighted tsvector computed in the same insert (no second
    write, no dead rows), then add their words to the vocabulary."""
    if not docs:
        return
    table = SearchDocument._meta.db_table
    names = [c for c, _ in _COLUMNS]
    params = []
    for column, _ in _COLUMNS:
        if column in ARRAY_COLUMNS:
            params.append([",".join(getattr(d, column)) for d in docs])
        else:
            params.append([getattr(d, column) for d in docs])
    params += [[d._weighted[0] for d in docs], [d._weighted[1] for d in docs], [d._weighted[2] for d in docs]]
    unnest = ", ".join(f"%s::{kind}[]" for _, kind in _COLUMNS) + ", %s::text[], %s::text[], %s::text[]"
    select = ", ".join(f"coalesce(string_to_array(nullif(v.{c}, ''), ','), '{{}}')::varchar[]"
                       if c in ARRAY_COLUMNS else f"v.{c}" for c in names)
    vector = ("setweight(to_tsvector('simple', unaccent(v.a)), 'A')"
              " || setweight(to_tsvector('simple', unaccent(v.b)), 'B')"
              " || setweight(to_tsvector('simple', unaccent(v.c)), 'C')")
    updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in [*names[1:], "search_vector", "indexed_at"])
    sql = (f"INSERT INTO {table} ({', '.join(names)}, search_vector, indexed_at) "
           f"SELECT {select}, {vector}, now() FROM unnest({unnest}) AS v({', '.join(names)}, a, b, c) "
           f"ON CONFLICT (service_id) DO UPDATE SET {updates}")
    words = sorted({w for d in docs for w in d._words if 4 <= len(w) <= 60 and not w.isdigit()})
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        cursor.execute(
            f"INSERT INTO {SearchTerm._meta.db_table} (word, stem)"
            " SELECT * FROM unnest(%s::text[], %s::text[]) ON CONFLICT (word) DO NOTHING",
            [words, [stem(w) for w in words]])


def _elastic_sync(ids: set[int], gone: list[int]) -> None:
    backend = get_search()
    if hasattr(backend, "sync"):
        backend.sync(index=ids, delete=gone)
