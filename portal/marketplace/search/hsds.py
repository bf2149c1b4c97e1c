"""Open Referral HSDS 3.0 representation of the catalogue (read-only export).

Identifiers: HSDS wants UUIDs. Ours are integers, so each kind gets a fixed
first group and the integer in the last group
(``00000001-0000-4000-8000-00000000002a`` is service 42); they are stable,
valid UUIDs and map back without a lookup table. Sub-records (phones,
languages, addresses …) get name-based UUIDs (uuid5) from their parent.

Fields the catalogue has no value for are left out rather than sent as null:
the HSDS 3.0 schemas type them as plain strings or numbers.
"""

from __future__ import annotations

import re
import uuid
from decimal import Decimal

from django.utils.translation import override

HSDS_VERSION = "3.0"
_NAMESPACE = uuid.UUID("7b1c3f52-5d0e-4c1a-9b8e-0d5a1c2e3f40")
KINDS = {"service": 1, "organization": 2, "location": 3, "service_at_location": 4, "taxonomy": 5,
         "taxonomy_term": 6}
TAXONOMY_PK = 1
# ISO 639 codes for the staff languages (Latvian Sign Language is ISO 639-3 "lsl").
LANGUAGE_CODES = {"lv": ("lv", "Latviešu"), "ru": ("ru", "Krievu"), "en": ("en", "Angļu"), "uk": ("uk", "Ukraiņu"),
                  "sgn": ("lsl", "Latviešu zīmju valoda")}
UNIT_WORDS = {"hour": "par stundu", "session": "par nodarbību", "day": "par dienu", "course": "par kursu"}
_POSTCODE = re.compile(r"\bLV-?\d{4}\b")


def make_id(kind: str, pk: int) -> str:
    return f"{KINDS[kind]:08x}-0000-4000-8000-{pk:012x}"


def parse_id(kind: str, value: str) -> int | None:
    """The integer behind one of our HSDS ids of this kind, or None."""
    try:
        parsed = uuid.UUID(str(value))
    except ValueError:
        return None
    text = str(parsed)
    if not text.startswith(f"{KINDS[kind]:08x}-0000-4000-8000-"):
        return None
    return int(text[-12:], 16)


def sal_id(service_pk: int, location_pk: int) -> str:
    return make_id("service_at_location", (service_pk << 24) | location_pk)


def parse_sal_id(value: str) -> tuple[int, int] | None:
    packed = parse_id("service_at_location", value)
    return None if packed is None else (packed >> 24, packed & 0xFFFFFF)


def _sub_id(*parts) -> str:
    return str(uuid.uuid5(_NAMESPACE, ":".join(str(p) for p in parts)))


def _clean(data: dict) -> dict:
    return {k: v for k, v in data.items() if v not in (None, "")}


def _iso(dt) -> str:
    return dt.isoformat(timespec="milliseconds").replace("+00:00", "Z")


# ---------------------------------------------------------------- taxonomy
def taxonomy() -> dict:
    return {
        "id": make_id("taxonomy", TAXONOMY_PK),
        "name": "SBS pakalpojumu veidi",
        "description": "Sabiedrībā balstīto sociālo pakalpojumu veidi (individuālā budžeta pilotprojekti, "
                       "Labklājības ministrija).",
        "version": "1",
    }


def taxonomy_term(service_type) -> dict:
    return _clean({
        "id": make_id("taxonomy_term", service_type.pk),
        "code": service_type.code,
        "name": service_type.name_lv,
        "description": service_type.description_lv or service_type.name_en,
        "taxonomy": "SBS pakalpojumu veidi",
        "taxonomy_id": make_id("taxonomy", TAXONOMY_PK),
        "language": "lv",
    })


def _attribute(service, service_type) -> dict:
    return {
        "id": _sub_id("attribute", service.pk, service_type.pk),
        "link_id": make_id("service", service.pk),
        "link_type": "service_type",
        "link_entity": "service",
        "taxonomy_term_id": make_id("taxonomy_term", service_type.pk),
        "taxonomy_term": taxonomy_term(service_type),
    }


# ---------------------------------------------------------------- organization, location
def _phone(owner: str, owner_pk: int, number: str, **link) -> dict:
    return _clean({"id": _sub_id("phone", owner, owner_pk), "number": number, "type": "voice", **link})


def _languages(codes, **link) -> list[dict]:
    out = []
    for code in codes or []:
        iso, name = LANGUAGE_CODES.get(code, (code, code))
        out.append({"id": _sub_id("language", *link.values(), code), "name": name, "code": iso, **link})
    return out


def _address(location, names: dict[str, str]) -> dict:
    parts = [p.strip() for p in location.address.split(",") if p.strip()]
    postcode = next((p for p in parts if _POSTCODE.fullmatch(p)), "")
    rest = [p for p in parts if p != postcode]
    municipality = names.get(location.municipality_code, location.municipality_code)
    return {
        "id": _sub_id("address", location.pk),
        "location_id": make_id("location", location.pk),
        "address_1": rest[0] if rest else location.address,
        "city": rest[1] if len(rest) > 1 else municipality,
        "state_province": municipality,
        "postal_code": postcode or "—",
        "country": "LV",
        "address_type": "physical",
    }


def location(loc, names: dict[str, str]) -> dict:
    features = loc.accessibility_features
    accessibility = [{"id": _sub_id("accessibility", loc.pk, f), "location_id": make_id("location", loc.pk),
                      "description": str(type(loc)._meta.get_field(f).verbose_name)} for f in features]
    if loc.accessibility_notes:
        accessibility.append({"id": _sub_id("accessibility", loc.pk, "notes"),
                              "location_id": make_id("location", loc.pk), "details": loc.accessibility_notes})
    return _clean({
        "id": make_id("location", loc.pk),
        "location_type": "physical",
        "organization_id": make_id("organization", loc.provider_id),
        "name": loc.name,
        "latitude": float(loc.latitude) if loc.latitude is not None else None,
        "longitude": float(loc.longitude) if loc.longitude is not None else None,
        "addresses": [_address(loc, names)],
        "accessibility": accessibility,
    })


def organization(provider, *, names: dict[str, str], with_locations: bool = True) -> dict:
    identifiers = [{
        "id": _sub_id("identifier", provider.pk, "company"),
        "organization_id": make_id("organization", provider.pk),
        "identifier_scheme": "LV-RE",
        "identifier_type": "Uzņēmumu reģistra numurs",
        "identifier": provider.company_number,
    }, {
        "id": _sub_id("identifier", provider.pk, "social"),
        "organization_id": make_id("organization", provider.pk),
        "identifier_type": "Sociālo pakalpojumu sniedzēju reģistra numurs",
        "identifier": provider.social_register_number,
    }]
    data = {
        "id": make_id("organization", provider.pk),
        "name": provider.name,
        "description": provider.description_lv,
        "email": provider.email,
        "website": provider.website,
        "legal_status": provider.get_legal_form_display() if hasattr(provider, "get_legal_form_display") else "",
        "phones": [_phone("organization", provider.pk, provider.phone,
                          organization_id=make_id("organization", provider.pk))] if provider.phone else [],
        "organization_identifiers": identifiers,
    }
    if with_locations:
        data["locations"] = [location(loc, names) for loc in provider.locations.all()]
    return _clean(data)


# ---------------------------------------------------------------- service
def service(s, *, names: dict[str, str], detail: bool = True) -> dict:
    p, t = s.provider, s.service_type
    sid = make_id("service", s.pk)
    with override("lv"):
        groups = {"children": "bērni ar funkcionāliem traucējumiem",
                  "adults": "pilngadīgas personas ar garīga rakstura traucējumiem"}
        eligibility = "; ".join(groups.get(g, g) for g in s.target_groups or [])
    cost = {
        "id": _sub_id("cost", s.pk),
        "service_id": sid,
        "amount": float(Decimal(s.unit_price)),
        "currency": "EUR",
        "amount_description": UNIT_WORDS.get(s.unit, s.unit),
    }
    data = {
        "id": sid,
        "organization_id": make_id("organization", p.pk),
        "name": s.title_lv,
        "alternate_name": s.title_en,
        "description": s.description_lv,
        "email": p.email,
        "url": p.website,
        "status": "active" if s.is_active else "inactive",
        "fees_description": f"{s.unit_price} EUR {UNIT_WORDS.get(s.unit, s.unit)}",
        "eligibility_description": eligibility,
        "minimum_age": s.min_age,
        "maximum_age": s.max_age,
        "alert": "Šobrīd nav brīvu vietu" + (f"; gaidīšanas laiks {s.waiting_weeks} ned." if s.waiting_weeks else "")
        if s.free_places == 0 else "",
        "last_modified": _iso(max(s.modified_at, p.modified_at)),
        "phones": [_phone("service", s.pk, p.phone, service_id=sid)] if p.phone else [],
        "schedules": [{"id": _sub_id("schedule", s.pk), "service_id": sid, "description": s.schedule}]
        if s.schedule else [],
        "service_areas": [{"id": _sub_id("area", s.pk, code), "service_id": sid, "name": names.get(code, code),
                           "extent_type": "text", "description": f"Pašvaldība: {names.get(code, code)}"}
                          for code in p.municipalities_served],
        "service_at_locations": [service_at_location(s, loc, names=names, nested=True)
                                 for loc in s.locations.all()],
        "languages": _languages(p.languages, service_id=sid),
        "cost_options": [cost],
        "attributes": [_attribute(s, t)],
    }
    if detail:
        data["organization"] = organization(p, names=names, with_locations=False)
    return _clean(data)


def service_at_location(s, loc, *, names: dict[str, str], nested: bool = False) -> dict:
    data = {
        "id": sal_id(s.pk, loc.pk),
        "service_id": make_id("service", s.pk),
        "location_id": make_id("location", loc.pk),
        "location": location(loc, names),
    }
    if not nested:
        data["service"] = service(s, names=names, detail=False)
    return data


def page(items: list[dict], *, total: int, page_number: int, size: int) -> dict:
    """The HSDS 3.0 API's paginated wrapper."""
    pages = max(1, -(-total // size)) if size else 1
    return {
        "total_items": total,
        "total_pages": pages,
        "page_number": page_number,
        "size": size,
        "first_page": page_number == 1,
        "last_page": page_number >= pages,
        "empty": not items,
        "contents": items,
    }
