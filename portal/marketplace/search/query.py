"""What a search asks and what it answers, the same for every backend."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from .centres import CENTRES

SORTS = ("relevance", "distance", "price")
MAX_PER_PAGE = 100
FACETS = ("service_type", "target_group", "delivery_mode", "language", "accessibility", "free_places")


@dataclass
class Scope:
    """Where the search runs and for whom; built by ``selectors.search_scope``, never from user input.

    municipality: the code of the municipality whose site this is (None: the national site).
    approved_ids: on a municipality's site, a flat queryset (or list) of the service ids approved there.
    approved_provider_ids: likewise the providers approved there (a service needs both approvals).
    caps: {(service_type_code, unit): cap amount} of that municipality.
    budget: {service_type_code: available Decimal} of the signed-in person, or None when unknown.
    origin: (latitude, longitude) distances are measured from.
    """

    municipality: str | None = None
    approved_ids: object = None
    approved_provider_ids: object = None
    caps: dict = field(default_factory=dict)
    budget: dict | None = None
    origin: tuple[float, float] | None = None
    origin_label: str = ""

    @property
    def origin_name(self) -> str:
        """The place distances are measured from, by name ("Liepāja"); empty for a person's address."""
        return CENTRES[self.origin_label][2] if self.origin_label in CENTRES else ""


@dataclass
class SearchQuery:
    text: str = ""
    service_types: list[str] = field(default_factory=list)
    target_groups: list[str] = field(default_factory=list)
    age: int | None = None
    municipalities: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    delivery_modes: list[str] = field(default_factory=list)
    accessibility: list[str] = field(default_factory=list)
    free_places: bool = False
    within_cap: bool = False
    fits_budget: bool = False
    modified_after: object = None
    ids: list[int] | None = None
    sort: str = "relevance"
    page: int = 1
    per_page: int = 20

    def __post_init__(self):
        self.page = max(1, int(self.page or 1))
        self.per_page = min(MAX_PER_PAGE, max(1, int(self.per_page or 20)))
        if self.sort not in SORTS:
            self.sort = "relevance"


@dataclass
class Hit:
    service_id: int
    title_lv: str
    title_en: str
    summary_lv: str
    summary_en: str
    provider_name: str
    provider_slug: str
    service_type_code: str
    service_type_name_lv: str
    service_type_name_en: str
    target_groups: list[str]
    delivery_modes: list[str]
    languages: list[str]
    accessibility: list[str]
    unit: str
    unit_price: Decimal
    free_places: int | None
    waiting_weeks: int | None
    place: str
    min_age: int | None = None
    max_age: int | None = None
    distance_km: float | None = None
    score: float = 0.0
    cap: Decimal | None = None

    @property
    def over_cap(self) -> Decimal:
        """How much the unit price is above the municipality's cap (0 when within or uncapped)."""
        if self.cap is None or self.unit_price <= self.cap:
            return Decimal("0.00")
        return (self.unit_price - self.cap).quantize(Decimal("0.01"))

    @property
    def is_full(self) -> bool:
        return self.free_places == 0


@dataclass
class SearchResult:
    hits: list[Hit]
    total: int
    page: int
    per_page: int
    facets: dict[str, dict[str, int]]
    backend: str
    relaxed: bool = False  # no service matched every word, so services matching any word are shown

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))
