"""Reading the statistics cube for every face: tables with their suppressed figures, already decided.

Pages, exports and the API all call these; each figure passes ``suppression.shown`` on the way out.
A request reads the public cube only (a handful of indexed queries whatever the number of municipalities).
"""

from __future__ import annotations

import statistics as pystats
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Case, DecimalField, F, Func, Q, Value, When
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.marketplace.catalogue.models import ServiceType
from portal.platform.core.choices import TargetGroup
from portal.tenants.models import Municipality, PlanningRegion

from .errors import FilterInvalid
from .models import COUNT_MEASURES, Level, Publication, RefreshState, StatCell
from .suppression import PRIMARY, SECONDARY, shown

ONE = Decimal("1")
PERCENT = Decimal("0.1")
CENT = Decimal("0.01")

# The seeds' pilot figures (DOMAIN.md, seeds 000 and 002).
PILOT_TARGET_PER_REGION = {"adults": 40, "children": 20}
PILOT_BUDGET = {
    "children": {"persons": 102, "months": 12, "cost": Decimal("714258.00")},
    "adults": {"persons": 103, "months": 15, "cost": Decimal("1144001.00")},
}


@dataclass(frozen=True)
class Filters:
    region: str = ""
    municipality: str = ""
    target_group: str = ""
    service_type: str = ""
    period: str = ""

    @classmethod
    def from_query(cls, query, *, municipality: Municipality | None = None, strict: bool = False) -> "Filters":
        """Pages drop unknown values (and show the wider figure); the API (``strict``) refuses them with
        ``FilterInvalid``. A municipality's own dashboard is pinned to it."""
        wanted = {name: (query.get(name) or "").strip() for name in
                  ("region", "municipality", "target_group", "service_type", "period")}
        known = {
            "region": lambda v: v in PlanningRegion.values,
            "municipality": lambda v: Municipality.objects.filter(code=v).exclude(schema_name="public").exists(),
            "target_group": lambda v: v in TargetGroup.values,
            "service_type": lambda v: ServiceType.objects.filter(code=v).exists(),
            "period": lambda v: v in available_periods(),
        }
        for name, value in wanted.items():
            if value and not known[name](value):
                if strict:
                    raise FilterInvalid(_("Unknown %(name)s: %(value)s.") % {"name": name, "value": value[:40]},
                                        field=name)
                wanted[name] = ""
        if municipality is not None:
            wanted["municipality"], wanted["region"] = municipality.code, municipality.region
        elif wanted["municipality"]:
            wanted["region"] = Municipality.objects.values_list("region", flat=True).get(code=wanted["municipality"])
        return cls(**wanted)

    def as_query(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if v}

    def place(self) -> tuple[str, str]:
        if self.municipality:
            return Level.MUNICIPALITY, self.municipality
        if self.region:
            return Level.REGION, self.region
        return Level.NATIONAL, "lv"


def available_periods() -> list[str]:
    return sorted(StatCell.objects.filter(level=Level.NATIONAL, target_group="", service_type="")
                  .exclude(period="").values_list("period", flat=True), reverse=True)


def publication_token() -> str | None:
    """The current publication's token (changes with every publication, in its transaction); None before any."""
    token = Publication.objects.filter(pk=1).values_list("token", flat=True).first()
    return None if token is None else token.hex


def last_refreshed():
    return RefreshState.objects.order_by("-refreshed_at").values_list("refreshed_at", flat=True).first()


# ----------------------------------------------------------------------------- figures of one cell
def _median(values):
    return Decimal(str(pystats.median(values))).quantize(PERCENT) if values else None


def figures(cell: StatCell | None) -> dict:
    """Every measure of a cell as shown: numbers, Decimal money, or "<5" / "x"; derived figures too."""
    if cell is None:
        cell = StatCell()
    hidden = cell.hidden or {}

    def show(measure, value):
        return shown(hidden, measure, value, counts=COUNT_MEASURES)

    out = {"persons": show("persons", cell.persons)}
    for name in COUNT_MEASURES:
        out[name] = show(name, getattr(cell, name))
    for name in ("granted", "reserved", "spent", "returned", "spent_esf", "spent_state", "spent_municipal"):
        out[name] = show(name, Decimal(getattr(cell, name)).quantize(CENT))
    granted, spent = Decimal(cell.granted), Decimal(cell.spent)
    out["utilisation_percent"] = show("utilisation", (spent * 100 / granted).quantize(PERCENT, ROUND_HALF_UP)
                                      if granted else None)
    years = Decimal(cell.budget_months) / 12
    out["person_years"] = show("budget_months", years.quantize(CENT, ROUND_HALF_UP))
    out["cost_per_person_year"] = show("cost", (spent / years).quantize(CENT, ROUND_HALF_UP) if years else None)
    out["median_days_to_approve"] = show("days", _median(cell.days_to_approve))
    out["median_days_to_pay"] = show("days", _median(cell.days_to_pay))
    out["providers_active"] = len(cell.providers_active)
    out["providers_approved"] = len(cell.providers_approved)
    return out


def is_marker(value) -> bool:
    return value in (PRIMARY, SECONDARY)


def _cells(filters: Filters, **where) -> "QuerySet":  # noqa: F821
    return StatCell.objects.filter(target_group=filters.target_group, service_type=filters.service_type, **where)


def comparison_cells(filters: Filters) -> list[tuple[str, str, StatCell | None]]:
    """The chosen place, its planning region and Latvia: [(level, geo, cell)] (one query)."""
    level, geo = filters.place()
    places = [(level, geo)]
    if level == Level.MUNICIPALITY:
        places.append((Level.REGION, filters.region))
    if level != Level.NATIONAL:
        places.append((Level.NATIONAL, "lv"))
    where = Q()
    for place_level, place_geo in places:
        where |= Q(level=place_level, geo=place_geo)
    found = {(c.level, c.geo): c for c in _cells(filters, period=filters.period).filter(where)}
    return [(lv, g, found.get((lv, g))) for lv, g in places]


# ----------------------------------------------------------------------------- tables
@dataclass
class Column:
    key: str
    label: str
    unit: str = ""  # "EUR", "%", "days", "persons", "" (a label)


@dataclass
class Table:
    name: str
    title: str
    columns: list[Column]
    rows: list[list]
    summary: str = ""
    chart: tuple[int, int] | None = None  # (label column, value column) drawn as bars
    notes: list[str] = field(default_factory=list)
    total_rows: int = 0  # when ``rows`` is one page of a longer table
    page: int | None = None
    page_size: int = 0

    def pages(self) -> list[int]:
        if not self.page or self.total_rows <= len(self.rows) and self.page == 1:
            return []
        return list(range(1, (self.total_rows - 1) // self.page_size + 2))

    def chart_rows(self):
        """Bars for the chart (an SVG of 600 × 24 per row): label, value, y, bar width; hidden figures get no bar."""
        if not self.chart:
            return []
        label, value = self.chart
        numbers = [r[value] for r in self.rows if isinstance(r[value], int | Decimal) and r[value] > 0]
        top = max(numbers, default=0)
        bars = []
        for index, row in enumerate(self.rows):
            number = row[value]
            width = int(Decimal(number) * 300 / Decimal(top)) if top and isinstance(number, int | Decimal) \
                and number > 0 else 0
            bars.append({"label": row[label], "value": "—" if number is None else number, "y": index * 24,
                         "text_y": index * 24 + 16, "width": width, "value_x": 246 + width})
        return bars

    def chart_height(self) -> int:
        return 24 * len(self.rows)


def _summary(rows, label: int, value: int) -> str:
    visible = [(r[label], r[value]) for r in rows if isinstance(r[value], int | Decimal)]
    hidden = len(rows) - len(visible)
    if not visible:
        return _("Every figure here is about fewer than five persons and hidden.") if rows else _("No figures yet.")
    top = max(visible, key=lambda v: v[1])
    low = min(visible, key=lambda v: v[1])
    text = _("Highest: %(top)s (%(top_value)s); lowest: %(low)s (%(low_value)s).") % {
        "top": top[0], "top_value": top[1], "low": low[0], "low_value": low[1]}
    if hidden:
        text += " " + _("%(n)s figures are hidden to protect small groups.") % {"n": hidden}
    return text


OVERVIEW = [
    ("persons", gettext_lazy("Persons with anything in the period"), "persons"),
    ("persons_assessed", gettext_lazy("Persons assessed"), "persons"),
    ("persons_with_plan", gettext_lazy("Persons with a plan"), "persons"),
    ("persons_with_budget", gettext_lazy("Persons with a budget"), "persons"),
    ("persons_nothing_booked", gettext_lazy("Plans with nothing booked eight weeks in"), "plans"),
    ("granted", gettext_lazy("Granted"), "EUR"),
    ("reserved", gettext_lazy("Reserved"), "EUR"),
    ("spent", gettext_lazy("Spent"), "EUR"),
    ("returned", gettext_lazy("Returned unused"), "EUR"),
    ("utilisation_percent", gettext_lazy("Utilisation (spent of granted)"), "%"),
    ("cost_per_person_year", gettext_lazy("Spent per person-year of budgets"), "EUR"),
    ("providers_active", gettext_lazy("Providers with an active agreement"), "providers"),
    ("providers_approved", gettext_lazy("Approved providers"), "providers"),
    ("median_days_to_approve", gettext_lazy("Median days from invoice submitted to approved"), "days"),
    ("median_days_to_pay", gettext_lazy("Median days from invoice approved to paid"), "days"),
]


def place_name(level: str, geo: str, names: dict) -> str:
    if level == Level.NATIONAL:
        return _("Latvia")
    if level == Level.REGION:
        return str(PlanningRegion(geo).label) if geo in PlanningRegion.values else geo
    return names.get(geo, geo)


def municipality_names() -> dict[str, str]:
    return dict(Municipality.objects.exclude(schema_name="public").values_list("code", "name"))


def overview_table(filters: Filters, names: dict) -> Table:
    places = comparison_cells(filters)
    values = [figures(cell) for _l, _g, cell in places]
    columns = [Column("measure", _("Figure")), Column("unit", _("Unit"))] + [
        Column(f"{level}:{geo}", place_name(level, geo, names)) for level, geo, _c in places]
    rows = [[str(label), unit] + [v[key] for v in values] for key, label, unit in OVERVIEW]
    first = values[0]
    summary = _("%(place)s: %(spent)s EUR spent of %(granted)s EUR granted (utilisation %(util)s %%).") % {
        "place": columns[2].label, "spent": first["spent"], "granted": first["granted"],
        "util": first["utilisation_percent"] if first["utilisation_percent"] is not None else "—"}
    return Table("overview", _("Overview"), columns, rows, summary=summary)


RANKING_PAGE = 50


def _utilisation(spent, granted):
    return (Decimal(spent) * 100 / Decimal(granted)).quantize(PERCENT, ROUND_HALF_UP) if granted else None


def _ranked(filters: Filters, names: dict):
    """The municipalities of the filters' slice (and region) ranked in SQL: utilisation where it is shown
    (the cell's persons not hidden and something granted), highest first; hidden or empty last; then by code."""
    where = {"level": Level.MUNICIPALITY, "period": filters.period}
    if filters.region:
        where["region"] = filters.region
    shown_utilisation = Case(When(Q(granted__gt=0) & ~Q(hidden__has_key="persons"),
                                  then=Func(F("spent") * 100 / F("granted"), Value(1), function="ROUND")),
                             default=None, output_field=DecimalField())
    return _cells(filters, **where).annotate(rank_value=shown_utilisation).order_by(
        F("rank_value").desc(nulls_last=True), "geo")


def municipalities_table(filters: Filters, names: dict, *, page: int | None = None,
                         page_size: int | None = None) -> Table:
    """Every municipality (of the chosen region), ranked by utilisation; hidden figures last. ``page``: one
    page of ``page_size`` rows (default ``RANKING_PAGE``) — ranked and cut in SQL, so a page reads its own rows
    whatever the number of municipalities; without it (exports) every row."""
    page_size = page_size or RANKING_PAGE
    ranked = _ranked(filters, names)
    region_names = {code: str(label) for code, label in PlanningRegion.choices}
    fields = ("geo", "region", "hidden", "persons_with_budget", "granted", "spent", "agreements_active",
              "persons_nothing_booked")
    total = ranked.count() if page is not None else None
    chosen = ranked[(page - 1) * page_size: page * page_size] if page is not None else ranked
    start = (page - 1) * page_size if page is not None else 0

    def row(values):
        geo, region, hidden, with_budget, granted, spent, active, booked = values

        def show(measure, value):
            return shown(hidden, measure, value, counts=COUNT_MEASURES)

        return [names.get(geo, geo), region_names.get(region, region), show("persons_with_budget", with_budget),
                show("granted", granted), show("spent", spent), show("utilisation", _utilisation(spent, granted)),
                show("agreements_active", active), show("persons_nothing_booked", booked)]

    rows = [[rank, *row(values)] for rank, values in enumerate(chosen.values_list(*fields), start=start + 1)]
    if page is None:
        total = len(rows)
        summary = _summary(rows, 1, 6)
    else:  # the highest and lowest shown, and how many are hidden, without reading every row
        visible = ranked.filter(rank_value__isnull=False)
        ends = [row(values) for query in (visible.values_list(*fields)[:1], visible.reverse().values_list(*fields)[:1])
                for values in query]
        summary = _summary([[0, *r] for r in ends], 1, 6) if ends else _summary(rows, 1, 6)
        hidden = total - visible.count()
        if ends and hidden:
            summary += " " + _("%(n)s figures are hidden to protect small groups.") % {"n": hidden}
    columns = [Column("rank", _("Rank")), Column("municipality", _("Municipality")),
               Column("region", _("Planning region")), Column("persons_with_budget", _("Persons with a budget"),
                                                               "persons"),
               Column("granted", _("Granted"), "EUR"), Column("spent", _("Spent"), "EUR"),
               Column("utilisation_percent", _("Utilisation"), "%"),
               Column("agreements_active", _("Active agreements"), "agreements"),
               Column("persons_nothing_booked", _("Nothing booked eight weeks in"), "plans")]
    table = Table("municipalities", _("Municipalities ranked by utilisation"), columns, rows, summary=summary,
                  chart=(1, 6))
    table.total_rows = total
    table.page = page
    table.page_size = page_size
    return table


def regions_table(filters: Filters) -> Table:
    rows = []
    cells = {c.geo: c for c in _cells(filters, level=Level.REGION, period=filters.period)}
    for region in PlanningRegion:
        f = figures(cells.get(region.value))
        rows.append([str(region.label), f["persons"], f["granted"], f["spent"], f["utilisation_percent"]])
    columns = [Column("region", _("Planning region")), Column("persons", _("Persons"), "persons"),
               Column("granted", _("Granted"), "EUR"), Column("spent", _("Spent"), "EUR"),
               Column("utilisation_percent", _("Utilisation"), "%")]
    return Table("regions", _("Planning regions"), columns, rows, summary=_summary(rows, 0, 3), chart=(0, 3))


def months_table(filters: Filters) -> Table:
    level, geo = filters.place()
    cells = _cells(filters, level=level, geo=geo, period__regex=r"^\d{4}-\d{2}$")
    if len(filters.period) == 4:
        cells = cells.filter(period__startswith=f"{filters.period}-")
    elif len(filters.period) == 7:
        cells = cells.filter(period=filters.period)
    rows = []
    for cell in cells.order_by("period"):
        f = figures(cell)
        rows.append([cell.period, f["granted"], f["spent"], f["persons"]])
    columns = [Column("month", _("Month")), Column("granted", _("Granted"), "EUR"),
               Column("spent", _("Spent"), "EUR"), Column("persons", _("Persons"), "persons")]
    return Table("months", _("Spending by month"), columns, rows, summary=_summary(rows, 0, 2), chart=(0, 2))


def _breakdown(name, title, cell, parts) -> Table:
    f = figures(cell)
    rows = [[str(label), f[key]] for key, label in parts]
    columns = [Column("label", title), Column("value", _("Number") if "spent" not in parts[0][0] else _("EUR"),
                                              "EUR" if "spent" in parts[0][0] else "")]
    return Table(name, title, columns, rows, summary=_summary(rows, 0, 1), chart=(0, 1))


def breakdown_tables(filters: Filters) -> list[Table]:
    cell = comparison_cells(filters)[0][2]
    return [
        _breakdown("funding", _("Spending by funding source"), cell, [
            ("spent_esf", gettext_lazy("European Social Fund (85 %)")),
            ("spent_state", gettext_lazy("State budget (15 %)")),
            ("spent_municipal", gettext_lazy("Municipal budget"))]),
        _breakdown("agreements", _("Agreements by state"), cell, [
            ("agreements_pending", gettext_lazy("Being agreed")), ("agreements_active", gettext_lazy("Active")),
            ("agreements_ended", gettext_lazy("Ended")), ("agreements_stopped", gettext_lazy("Declined or cancelled"))]),
        _breakdown("goals", _("Goals at review"), cell, [
            ("goals_achieved", gettext_lazy("Achieved")), ("goals_partly", gettext_lazy("Partly achieved")),
            ("goals_not", gettext_lazy("Not achieved"))]),
    ]


def dashboard_tables(filters: Filters, *, page: int | None = None, names: dict | None = None) -> list[Table]:
    """Every table of the dashboard; ``page`` pages the ranked municipalities (the page), None: all rows."""
    names = municipality_names() if names is None else names
    tables = [overview_table(filters, names), *breakdown_tables(filters), months_table(filters)]
    if not filters.municipality:
        tables += [regions_table(filters), municipalities_table(filters, names, page=page)]
    return tables


# ----------------------------------------------------------------------------- the pilot report
def pilot_tables() -> list[Table]:
    """Participants against the targets per region, cost per child-year and adult-year against the pilots,
    goals at review — all time, from the suppressed cube."""
    cells = {(c.level, c.geo, c.target_group): c for c in StatCell.objects.filter(
        level__in=(Level.REGION, Level.NATIONAL), service_type="", period="")}
    rows = []
    for region in PlanningRegion:
        row = [str(region.label)]
        for group in ("adults", "children"):
            f = figures(cells.get((Level.REGION, region.value, group)))
            target = PILOT_TARGET_PER_REGION[group]
            got = f["persons_with_budget"]
            row += [got, target, (Decimal(got * 100) / target).quantize(ONE) if isinstance(got, int) else got]
        rows.append(row)
    participants = Table("pilot-participants", _("Participants against the pilot targets"), [
        Column("region", _("Planning region")), Column("adults", _("Adults with a budget"), "persons"),
        Column("adults_target", _("Target (adults)"), "persons"), Column("adults_percent", _("Of target"), "%"),
        Column("children", _("Children with a budget"), "persons"),
        Column("children_target", _("Target (children)"), "persons"),
        Column("children_percent", _("Of target"), "%")], rows, chart=(0, 3))
    short = {group: ", ".join(r[0] for r in rows if isinstance(r[column], Decimal) and r[column] < 100) or _("none")
             for group, column in (("children", 6), ("adults", 3))}
    participants.summary = _("Short of the children's target: %(children)s. Short of the adults' target: "
                             "%(adults)s.") % short

    cost_rows = []
    for group, label in (("children", _("Child-year")), ("adults", _("Adult-year"))):
        f = figures(cells.get((Level.NATIONAL, "lv", group)))
        pilot = PILOT_BUDGET[group]
        pilot_cost = (pilot["cost"] / (pilot["persons"] * Decimal(pilot["months"]) / 12)).quantize(CENT,
                                                                                               ROUND_HALF_UP)
        cost_rows.append([str(label), f["cost_per_person_year"], pilot_cost, f["person_years"], f["spent"]])
    costs = Table("pilot-costs", _("Cost per person-year against the pilots"), [
        Column("unit", _("Per")), Column("portal", _("Spent per person-year here"), "EUR"),
        Column("pilot", _("Pilot"), "EUR"), Column("person_years", _("Person-years of budgets"), "years"),
        Column("spent", _("Spent"), "EUR")], cost_rows, chart=(0, 1))
    costs.summary = _("The pilots cost %(child)s EUR per child-year and %(adult)s EUR per adult-year.") % {
        "child": cost_rows[0][2], "adult": cost_rows[1][2]}
    national = figures(cells.get((Level.NATIONAL, "lv", "")))
    goal_rows = [[str(label), national[key]] for key, label in (
        ("goals_achieved", _("Achieved")), ("goals_partly", _("Partly achieved")), ("goals_not", _("Not achieved")))]
    goals = Table("pilot-goals", _("Goals at review"), [Column("outcome", _("Outcome")),
                                                         Column("goals", _("Goals"), "goals")],
                  goal_rows, summary=_summary(goal_rows, 0, 1), chart=(0, 1))
    return [participants, costs, goals]
