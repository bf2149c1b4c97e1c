"""The PostgreSQL backend's fast path: the search documents held in each process's memory.

Searching the documents in SQL costs 20–50 ms per query at 20 000 services per
municipality (the GIN prefix scan, ranking and facet counts grow with the
number of matches), and that, not the HTTP stack, is what capped throughput.
Here the same documents are columns of NumPy arrays and an inverted index of
their tsvector lexemes, so a search is a handful of vector operations
(about a millisecond) and only the page's display fields are read from
PostgreSQL.

Freshness: PostgreSQL keeps a generation number per part of the data
(``search_generation``: ``docs`` for the documents, one row per municipality
schema for its approvals), bumped by statement triggers on every write,
bulk writes and raw SQL included, and taken from a sequence, so a rolled-back
change still leaves a different number behind. Every search reads those two
numbers (one primary-key query) and reloads what changed before it answers:
the approvals of one municipality in milliseconds; the documents in about
0.1 s per 3 000 documents. Above ``SEARCH_MEMORY_SYNC_LIMIT`` documents a
reload runs in a background thread while the previous snapshot keeps
answering (like Elasticsearch's refresh interval, seconds of lag); display
fields always come fresh from the database.

Memory: at 100 000 documents about 60 MB per process (arrays, postings and a
small cache of prefix weights).
"""

from __future__ import annotations

import bisect
import logging
import threading
import time
from datetime import UTC, datetime, timedelta
from decimal import ROUND_FLOOR, Decimal

import numpy as np
from django.db import connection, connections
from django.db.models import QuerySet

from portal.marketplace.catalogue.taxonomy import SERVICE_TYPE_CODES
from portal.platform.core.replica import lag_tolerant, read_alias

from .models import ARRAY_COLUMNS, FACET_COLUMNS
from .params import facet_values
from .query import FACETS, Scope, SearchQuery
from .text import query_terms

log = logging.getLogger(__name__)

DOCS = "docs"
# Weights of the tsvector classes, tenfold (ts_rank's defaults: A 1.0, B 0.4, C 0.2).
WEIGHT_A, WEIGHT_B, WEIGHT_C = 10, 4, 2
_PREFIX_CACHE = 256
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


def cents_floor(amount: Decimal) -> int:
    """The largest whole number of cents not above ``amount`` (exact: price ≤ amount ⇔ cents ≤ this)."""
    return int((Decimal(amount) * 100).to_integral_value(rounding=ROUND_FLOOR))


class Snapshot:
    """Every search document of one ``docs`` generation, as arrays indexed by position (service id order)."""

    def __init__(self):
        # The generation first: a change committed while loading makes the data newer than its label,
        # never older, and the next search (seeing a newer generation) loads again.
        with lag_tolerant():  # a load may read the replica: a lagging one gives an older generation, loaded again
            alias = read_alias()
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT value FROM search_generation WHERE key = %s", [DOCS])
            row = cursor.fetchone()
            self.generation = row[0] if row else 0
            cursor.execute(
                "SELECT service_id, is_listed, provider_id, service_type_code, title_lv, unit,"
                " (unit_price * 100)::bigint, has_free_places, coalesce(min_age, -1), coalesce(max_age, -1),"
                " latitude, longitude, (extract(epoch FROM modified_at) * 1000000)::bigint,"
                + ", ".join(f"array_to_string({f}, ' ')" for f in ARRAY_COLUMNS)
                + " FROM search_searchdocument ORDER BY service_id")
            rows = cursor.fetchall()
            postings = {}
            for key, vector in (("all", "search_vector"), ("a", "ts_filter(search_vector, '{a}')"),
                                ("b", "ts_filter(search_vector, '{b}')")):
                cursor.execute(f"SELECT lexeme, array_agg(service_id) FROM search_searchdocument,"
                               f" unnest(tsvector_to_array({vector})) AS lexeme GROUP BY lexeme")
                postings[key] = cursor.fetchall()
        self.n = n = len(rows)
        columns = list(zip(*rows)) if rows else [()] * (13 + len(ARRAY_COLUMNS))
        self.ids = np.array(columns[0], dtype=np.int64)
        self.listed = np.array(columns[1], dtype=bool)
        self.provider_ids = np.array(columns[2], dtype=np.int64)
        self.type_codes = sorted(set(columns[3]))
        type_index = {code: i for i, code in enumerate(self.type_codes)}
        self.type_idx = np.array([type_index[c] for c in columns[3]], dtype=np.int16)
        self.units = sorted(set(columns[5]))
        unit_index = {u: i for i, u in enumerate(self.units)}
        self.unit_idx = np.array([unit_index[u] for u in columns[5]], dtype=np.int16)
        self.price = np.array(columns[6], dtype=np.int64)
        self.has_free = np.array(columns[7], dtype=bool)
        self.min_age = np.array(columns[8], dtype=np.int32)
        self.max_age = np.array(columns[9], dtype=np.int32)
        self.lat = np.array([np.nan if v is None else v for v in columns[10]], dtype=np.float64)
        self.lon = np.array([np.nan if v is None else v for v in columns[11]], dtype=np.float64)
        self.modified = np.array(columns[12], dtype=np.int64)
        # Browse order (no words): service type, Latvian title, id — the SQL path's ORDER BY, as one rank.
        order = sorted(range(n), key=lambda i: (columns[3][i], columns[4][i], columns[0][i]))
        self.browse_rank = np.empty(n, dtype=np.int32)
        self.browse_rank[np.array(order, dtype=np.int64)] = np.arange(n, dtype=np.int32)
        self.tags: dict[tuple[str, str], np.ndarray] = {}
        for offset, field in enumerate(ARRAY_COLUMNS):
            values: dict[str, list[int]] = {}
            for position, text in enumerate(columns[13 + offset]):
                for value in (text or "").split():
                    values.setdefault(value, []).append(position)
            for value, positions in values.items():
                mask = np.zeros(n, dtype=bool)
                mask[np.array(positions, dtype=np.int64)] = True
                self.tags[(field, value)] = mask
        self.lexemes = sorted(lexeme for lexeme, _ in postings["all"])
        self.postings = {key: {lexeme: self._known(ids) for lexeme, ids in rows_} for key, rows_ in postings.items()}
        self._prefix_cache: dict[str, np.ndarray] = {}
        self.expansions: dict[str, list[str]] = {}

    def _known(self, service_ids) -> np.ndarray:
        """Positions of these ids, leaving out any document added after the rows were read."""
        wanted = np.array(service_ids, dtype=np.int64)
        positions = np.minimum(np.searchsorted(self.ids, wanted), max(self.n - 1, 0))
        return positions[self.ids[positions] == wanted] if self.n else positions[:0]

    def positions(self, service_ids) -> np.ndarray:
        """A mask of the documents whose service id is in ``service_ids``."""
        wanted = np.fromiter((int(i) for i in service_ids), dtype=np.int64)
        return np.isin(self.ids, wanted)

    def prefix_weight(self, stem: str) -> np.ndarray:
        """Per document, the best weight (×10) of a lexeme starting with ``stem`` (``stem:*``), else 0."""
        cached = self._prefix_cache.get(stem)
        if cached is not None:
            return cached
        weight = np.zeros(self.n, dtype=np.uint8)
        lo = bisect.bisect_left(self.lexemes, stem)
        hi = bisect.bisect_left(self.lexemes, stem + "\U0010ffff")
        matching = self.lexemes[lo:hi]
        for key, value in (("all", WEIGHT_C), ("b", WEIGHT_B), ("a", WEIGHT_A)):  # rising: later wins
            table = self.postings[key]
            for lexeme in matching:
                positions = table.get(lexeme)
                if positions is not None:
                    weight[positions] = value
        if len(self._prefix_cache) >= _PREFIX_CACHE:
            self._prefix_cache.clear()
        self._prefix_cache[stem] = weight
        return weight

    def tag(self, field: str, value: str) -> np.ndarray | None:
        return self.tags.get((field, value))

    def any_tag(self, field: str, values) -> np.ndarray:
        mask = np.zeros(self.n, dtype=bool)
        for value in values:
            tagged = self.tags.get((field, value))
            if tagged is not None:
                mask |= tagged
        return mask

    def types(self, codes) -> np.ndarray:
        mask = np.zeros(self.n, dtype=bool)
        for code in codes:  # a few comparisons beat np.isin's sort for a handful of types
            mask |= self.type_is(code)
        return mask

    def type_is(self, code: str) -> np.ndarray:
        if code not in self.type_codes:
            return np.zeros(self.n, dtype=bool)
        return self.type_idx == self.type_codes.index(code)

    def unit_is(self, unit: str) -> np.ndarray:
        if unit not in self.units:
            return np.zeros(self.n, dtype=bool)
        return self.unit_idx == self.units.index(unit)


class MemoryIndex:
    """One per process: the current snapshot, each municipality's approved mask, and their freshness."""

    def __init__(self, *, sync_limit: int = 5000):
        self.sync_limit = sync_limit
        self._lock = threading.Lock()
        self._snapshot: Snapshot | None = None
        self._scopes: dict[str, tuple[tuple[int, int], np.ndarray]] = {}  # schema → ((its gen, docs gen), mask)
        self._reloading: threading.Thread | None = None

    # ------------------------------------------------------------ freshness
    def _generations(self, schema: str | None) -> dict[str, int]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT key, value FROM search_generation WHERE key = ANY(%s)",
                           [[DOCS, schema] if schema else [DOCS]])
            return dict(cursor.fetchall())

    def snapshot(self, scope: Scope) -> tuple[Snapshot, np.ndarray]:
        """The snapshot to search and the mask of the site's scope (listed, approved here when on a
        municipality's site); reloads what changed since the last search."""
        schema = connection.schema_name if scope.approved_ids is not None else None
        generations = self._generations(schema)
        docs_generation = generations.get(DOCS, 0)
        snapshot = self._current(docs_generation)
        if scope.approved_ids is None and scope.approved_provider_ids is None:
            return snapshot, snapshot.listed
        if not (isinstance(scope.approved_ids, QuerySet) and isinstance(scope.approved_provider_ids, QuerySet)):
            return snapshot, snapshot.listed & self._approved(snapshot, scope)
        fresh_for = (generations.get(schema, 0), snapshot.generation)  # this schema's approvals, the documents
        cached = self._scopes.get(schema)
        if cached is not None and cached[0] == fresh_for:
            return snapshot, cached[1]
        mask = snapshot.listed & self._approved(snapshot, scope)
        self._scopes[schema] = (fresh_for, mask)
        return snapshot, mask

    @staticmethod
    def _approved(snapshot: Snapshot, scope: Scope) -> np.ndarray:
        mask = np.ones(snapshot.n, dtype=bool)
        if scope.approved_ids is not None:
            mask &= snapshot.positions(scope.approved_ids)
        if scope.approved_provider_ids is not None:
            wanted = np.fromiter((int(i) for i in scope.approved_provider_ids), dtype=np.int64)
            mask &= np.isin(snapshot.provider_ids, wanted)
        return mask

    def _current(self, generation: int) -> Snapshot:
        snapshot = self._snapshot
        if snapshot is not None and snapshot.generation == generation:
            return snapshot
        if snapshot is not None and snapshot.n > self.sync_limit:
            self._reload_in_background()
            return snapshot
        with self._lock:
            snapshot = self._snapshot
            if snapshot is None or snapshot.generation != generation:
                snapshot = self._load("loaded")
            return snapshot

    def _load(self, how: str) -> Snapshot:
        """Read a snapshot on this thread's connection and make it the current one."""
        started = time.perf_counter()
        snapshot = Snapshot()
        self._snapshot = snapshot
        log.info("search memory index: %s documents %s in %.0f ms", snapshot.n, how,
                 (time.perf_counter() - started) * 1000)
        return snapshot

    def _in_thread(self, work, name: str, failure: str) -> threading.Thread:
        """Run ``work`` in a daemon thread with its own connection on the public schema, closed afterwards."""

        def run():
            try:
                connection.set_schema_to_public()
                work()
            except Exception:
                log.exception("search memory index: %s", failure)
            finally:
                connections.close_all()  # this thread's connections only

        thread = threading.Thread(target=run, name=name, daemon=True)
        thread.start()
        return thread

    def warm(self) -> threading.Thread:
        """Load the first snapshot now, in a thread (a server worker starting), so that the first search
        does not wait seconds for it; a search arriving meanwhile waits for this load, not a second one."""

        def load():
            with self._lock:
                if self._snapshot is None:
                    self._load("loaded at start")

        return self._in_thread(load, "search-memory-warm", "loading at start failed; the first search loads it")

    def _reload_in_background(self) -> None:
        """Load a new snapshot in a thread (its own connection); searches use the previous one meanwhile.
        One load at a time; a search that still finds a different generation afterwards starts another."""
        with self._lock:
            if self._reloading is None or not self._reloading.is_alive():
                self._reloading = self._in_thread(lambda: self._load("reloaded"), "search-memory-reload",
                                                  "reload failed; the previous snapshot stays")

    # ------------------------------------------------------------ search
    def search(self, query: SearchQuery, scope: Scope, expand) -> tuple[dict, int, list, bool]:
        """(facets, total, page of (service id, score, distance), relaxed) — what the SQL path returns."""
        snapshot, site = self.snapshot(scope)
        base = site & filters(snapshot, query, scope)
        terms = query_terms(query.text)
        groups = []
        if terms:
            missing = [t for t in terms if t[0] not in snapshot.expansions]
            if missing:
                for (token, _), alternatives in zip(missing, expand(missing)):
                    snapshot.expansions[token] = alternatives
            for token, _ in terms:
                weight = None
                for alternative in snapshot.expansions[token]:
                    w = snapshot.prefix_weight(alternative)
                    weight = w if weight is None else np.maximum(weight, w)
                groups.append(weight)
        relaxed = False
        if groups:
            match = base.copy()
            for weight in groups:
                match &= weight > 0
            if not match.any() and len(groups) > 1:
                any_word = np.zeros(snapshot.n, dtype=bool)
                for weight in groups:
                    any_word |= weight > 0
                match = base & any_word
                relaxed = bool(match.any())
        else:
            match = base
        idx = np.flatnonzero(match)
        facets = facet_counts(snapshot, match, idx)
        page = order_page(snapshot, idx, query, scope, groups, relaxed)
        return facets, len(idx), page, relaxed


def filters(s: Snapshot, query: SearchQuery, scope: Scope) -> np.ndarray:
    """``postgres.structured_filters`` over the arrays (the site's scope is applied by the caller)."""
    mask = np.ones(s.n, dtype=bool)
    if query.ids is not None:
        mask &= s.positions(query.ids)
    if query.service_types:
        mask &= s.types(query.service_types)
    if query.target_groups:
        mask &= s.any_tag("target_groups", query.target_groups)
    if query.age is not None:
        mask &= (s.min_age < 0) | (s.min_age <= query.age)
        mask &= (s.max_age < 0) | (s.max_age >= query.age)
    if query.municipalities:
        mask &= s.any_tag("municipalities", query.municipalities)
    if query.languages:
        mask &= s.any_tag("languages", query.languages)
    if query.delivery_modes:
        mask &= s.any_tag("delivery_modes", query.delivery_modes)
    for feature in query.accessibility or ():
        tagged = s.tag("accessibility", feature)
        mask &= tagged if tagged is not None else False
    if query.free_places:
        mask &= s.has_free
    if query.within_cap and scope.caps:
        for (type_code, unit), amount in scope.caps.items():
            mask &= ~(s.type_is(type_code) & s.unit_is(unit) & (s.price > cents_floor(amount)))
    if query.fits_budget and scope.budget is not None:
        fits = np.zeros(s.n, dtype=bool)
        named = [code for code in scope.budget if code != "*"]
        for type_code, available in scope.budget.items():
            if available and available > 0:
                affordable = s.price <= cents_floor(available)
                if type_code == "*":
                    fits |= affordable & ~s.types(named)
                else:
                    fits |= s.type_is(type_code) & affordable
        mask &= fits
    if query.modified_after is not None:
        moment = query.modified_after
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        mask &= s.modified > (moment - _EPOCH) // _MICROSECOND
    return mask


def facet_counts(s: Snapshot, match: np.ndarray, idx: np.ndarray) -> dict[str, dict[str, int]]:
    facets: dict[str, dict[str, int]] = {name: {} for name in FACETS}
    free = int(np.count_nonzero(s.has_free[idx]))
    if free:
        facets["free_places"]["yes"] = free
    by_type = np.bincount(s.type_idx[idx], minlength=len(s.type_codes)) if len(idx) else []
    for position, count in enumerate(by_type):
        code = s.type_codes[position]
        if count and code in SERVICE_TYPE_CODES:
            facets["service_type"][code] = int(count)
    for facet, field in FACET_COLUMNS:
        for value in facet_values(facet):
            tagged = s.tag(field, value)
            if tagged is not None:
                count = int(np.count_nonzero(tagged[idx]))
                if count:
                    facets[facet][value] = count
    return facets


def order_page(s: Snapshot, idx: np.ndarray, query: SearchQuery, scope: Scope, groups, relaxed: bool) -> list:
    """The SQL path's ORDER BY over the matches, and the requested page of (id, score, distance)."""
    offset = (query.page - 1) * query.per_page
    end = offset + query.per_page
    if offset >= len(idx):
        return []
    ids = s.ids[idx]
    score = None
    if groups:
        score = np.zeros(len(idx), dtype=np.float64)
        for weight in groups:
            score += weight[idx]
        score /= 10.0
    distance = None
    if scope.origin is not None:
        lat, lon = scope.origin
        distance = 111.045 * np.sqrt((s.lat[idx] - lat) ** 2
                                     + ((s.lon[idx] - lon) * np.cos(np.radians(lat))) ** 2)
    if query.sort == "distance" and scope.origin is not None:
        order = np.lexsort((ids, s.price[idx], np.where(np.isnan(distance), np.inf, distance)))
    elif query.sort == "price":
        order = np.lexsort((ids, s.price[idx]))
    elif relaxed:
        matched = np.zeros(len(idx), dtype=np.int16)
        for weight in groups:
            matched += weight[idx] > 0
        order = np.lexsort((ids, -score, -matched))
    elif groups:
        order = np.lexsort((ids, -score))
    else:
        rank = s.browse_rank[idx]
        if end < len(idx):
            top = np.argpartition(rank, end - 1)[:end]
            order = top[np.argsort(rank[top])]
        else:
            order = np.argsort(rank)
    page = order[offset:end]
    return [(int(ids[i]), float(score[i]) if score is not None else 0.0,
             None if distance is None or np.isnan(distance[i]) else float(distance[i])) for i in page]

