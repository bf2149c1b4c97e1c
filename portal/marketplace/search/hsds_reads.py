"""Reads behind the HSDS 3.0 API: what the current site lists, shaped by ``hsds``.

A municipality's host exports the services approved there; the national host
every verified provider's active services — the same scope as the search page.
"""

from __future__ import annotations

from django.db.models import Q

from portal.marketplace.catalogue.models import Provider, Service, ServiceType
from portal.tenants.models import Municipality

from . import get_search, hsds
from .backends.postgres import structured_filters
from .models import SearchDocument
from .query import SearchQuery
from .selectors import search_scope


def _names() -> dict[str, str]:
    return dict(Municipality.objects.values_list("code", "name"))


def _visible_documents(scope):
    return structured_filters(SearchDocument.objects.all(), SearchQuery(), scope)


def _services(ids):
    found = {s.pk: s for s in Service.objects.filter(pk__in=ids).select_related("provider", "service_type")
             .prefetch_related("locations")}
    return [found[i] for i in ids if i in found]


def _term_code(taxonomy_term_id: str | None) -> str | None | bool:
    """The service type code of a taxonomy term id; False when the id is not one of ours."""
    if not taxonomy_term_id:
        return None
    pk = hsds.parse_id("taxonomy_term", taxonomy_term_id)
    code = ServiceType.objects.filter(pk=pk).values_list("code", flat=True).first() if pk is not None else None
    return code or False


def service_page(*, text="", taxonomy_term_id=None, modified_after=None, page=1, per_page=50) -> dict:
    scope = search_scope(None)
    code = _term_code(taxonomy_term_id)
    if code is False:
        return hsds.page([], total=0, page_number=page, size=per_page)
    query = SearchQuery(text=text or "", service_types=[code] if code else [], modified_after=modified_after,
                        page=page, per_page=per_page)
    result = get_search().search(query, scope)
    names = _names()
    items = [hsds.service(s, names=names, detail=False) for s in _services([h.service_id for h in result.hits])]
    return hsds.page(items, total=result.total, page_number=page, size=query.per_page)


def service_detail(hsds_id: str) -> dict | None:
    pk = hsds.parse_id("service", hsds_id)
    if pk is None or not _visible_documents(search_scope(None)).filter(service_id=pk).exists():
        return None
    services = _services([pk])
    return hsds.service(services[0], names=_names(), detail=True) if services else None


def _providers(scope):
    provider_ids = _visible_documents(scope).values("provider_id")
    return Provider.objects.filter(pk__in=provider_ids).prefetch_related("locations")


def organization_page(*, text="", modified_after=None, page=1, per_page=50) -> dict:
    providers = _providers(search_scope(None))
    if text:
        providers = providers.filter(Q(name__unaccent__icontains=text) | Q(description_lv__unaccent__icontains=text))
    if modified_after is not None:
        providers = providers.filter(modified_at__gt=modified_after)
    total = providers.count()
    offset = (page - 1) * per_page
    names = _names()
    items = [hsds.organization(p, names=names) for p in providers.order_by("name", "pk")[offset:offset + per_page]]
    return hsds.page(items, total=total, page_number=page, size=per_page)


def organization_detail(hsds_id: str) -> dict | None:
    pk = hsds.parse_id("organization", hsds_id)
    if pk is None:
        return None
    provider = _providers(search_scope(None)).filter(pk=pk).first()
    return hsds.organization(provider, names=_names()) if provider else None


def service_at_location_page(*, text="", taxonomy_term_id=None, modified_after=None, page=1, per_page=50) -> dict:
    scope = search_scope(None)
    code = _term_code(taxonomy_term_id)
    if code is False:
        return hsds.page([], total=0, page_number=page, size=per_page)
    docs = _visible_documents(scope)
    if code:
        docs = docs.filter(service_type_code=code)
    if modified_after is not None:
        docs = docs.filter(modified_at__gt=modified_after)
    if text:
        query = SearchQuery(text=text, service_types=[code] if code else [], modified_after=modified_after,
                            per_page=100)
        docs = docs.filter(service_id__in=[h.service_id for h in get_search().search(query, scope).hits])
    links = (Service.locations.through.objects.filter(service_id__in=docs.values("service_id"))
             .order_by("service_id", "location_id"))
    total = links.count()
    offset = (page - 1) * per_page
    pairs = list(links.values_list("service_id", "location_id")[offset:offset + per_page])
    services = {s.pk: s for s in _services(sorted({sid for sid, _ in pairs}))}
    names = _names()
    items = []
    for sid, lid in pairs:
        s = services.get(sid)
        loc = next((loc for loc in s.locations.all() if loc.pk == lid), None) if s else None
        if s and loc:
            items.append(hsds.service_at_location(s, loc, names=names))
    return hsds.page(items, total=total, page_number=page, size=per_page)


def service_at_location_detail(hsds_id: str) -> dict | None:
    pair = hsds.parse_sal_id(hsds_id)
    if pair is None:
        return None
    sid, lid = pair
    if not _visible_documents(search_scope(None)).filter(service_id=sid).exists():
        return None
    services = _services([sid])
    loc = next((loc for loc in services[0].locations.all() if loc.pk == lid), None) if services else None
    return hsds.service_at_location(services[0], loc, names=_names()) if loc else None


def taxonomy_page(*, page=1, per_page=50) -> dict:
    items = [hsds.taxonomy()] if page == 1 else []
    return hsds.page(items, total=1, page_number=page, size=per_page)


def taxonomy_detail(hsds_id: str) -> dict | None:
    return hsds.taxonomy() if hsds.parse_id("taxonomy", hsds_id) == hsds.TAXONOMY_PK else None


def taxonomy_term_page(*, text="", taxonomy_id=None, page=1, per_page=50) -> dict:
    terms = ServiceType.objects.order_by("position", "code")
    if taxonomy_id and hsds.parse_id("taxonomy", taxonomy_id) != hsds.TAXONOMY_PK:
        terms = terms.none()
    if text:
        terms = terms.filter(Q(name_lv__unaccent__icontains=text) | Q(name_en__icontains=text)
                             | Q(code__icontains=text))
    total = terms.count()
    offset = (page - 1) * per_page
    items = [hsds.taxonomy_term(t) for t in terms[offset:offset + per_page]]
    return hsds.page(items, total=total, page_number=page, size=per_page)


def taxonomy_term_detail(hsds_id: str) -> dict | None:
    pk = hsds.parse_id("taxonomy_term", hsds_id)
    term = ServiceType.objects.filter(pk=pk).first() if pk is not None else None
    return hsds.taxonomy_term(term) if term else None
