"""Small-cell suppression — the one place that decides which figures are hidden, for every face
(pages, CSV/XLSX exports, the open-data API).

Every figure ever shown is a cell of one cube: (level, place, target group, service type, period), where a
period is all time, a year or a month. The filters only pick cells; nothing is computed from arbitrary
ranges. So a figure can only be worked out from others through the cube's sums:

- a planning region = its municipalities, Latvia = its regions (place);
- both target groups = children + adults;
- all service types = the service types (+ money not tied to one);
- all time = the years, a year = its months.

**Primary**: a count of 1–4 is shown as ``<5``; when the cell's distinct persons number 1–4 every figure of
the cell (money, days, counts) is ``<5`` too. **Secondary**: in every one of those sums, hidden figures are
never alone, and what they add up to is never 1–4: while a sum has exactly one hidden member, or its hidden
members (the total visible) add up to less than five, the smallest non-zero visible member is hidden as
well (``x``), or the total if none is left. This runs until nothing changes, over every sum of the cube,
for the persons and for each count on its own. An attacker who subtracts two filters or two periods
subtracts two cells of one of those sums and gets a hidden figure's company, never the figure itself.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Callable, Iterable

THRESHOLD = 5
# The money a cell's persons' markers govern (models.MONEY_MEASURES; suppression does not import models).
GOVERNED_MONEY = ("granted", "reserved", "spent", "returned", "spent_esf", "spent_state", "spent_municipal",
                  "budget_months")
PRIMARY = "<5"
SECONDARY = "x"

# A cell's key: (level, geo, region, target group, service type, period).
LEVEL, GEO, REGION, GROUP, TYPE, PERIOD = range(6)


def relations(keys: Iterable[tuple]) -> list[tuple[tuple, list[tuple]]]:
    """Every (total, members) sum of the cube among ``keys`` (absent members are zeros and shown)."""
    keys = set(keys)
    found: dict[tuple, list[tuple]] = defaultdict(list)  # (total, which sum) → members
    for key in keys:
        level, geo, region, group, service_type, period = key
        if group:
            found[((level, geo, region, "", service_type, period), "group")].append(key)
        if service_type:
            found[((level, geo, region, group, "", period), "type")].append(key)
        if len(period) == 4:
            found[((level, geo, region, group, service_type, ""), "period")].append(key)
        elif len(period) == 7:
            found[((level, geo, region, group, service_type, period[:4]), "period")].append(key)
        if level == "municipality":
            found[(("region", region, region, group, service_type, period), "place")].append(key)
        elif level == "region":
            found[(("national", "lv", "", group, service_type, period), "place")].append(key)
    # Sorted: the work list below takes sums in this order, so the same cells always give the same markers
    # (an incremental publication must agree with a full one, whatever the process's hash seed).
    return sorted((total, sorted(members)) for (total, _sum), members in found.items() if total in keys)


def _needs_more(total, members, hidden, value) -> bool:
    hidden_members = [m for m in members if m in hidden]
    if total in hidden:
        return not hidden_members  # the total alone hidden: the members' visible sum gives it away
    if not hidden_members:
        return False
    return len(hidden_members) == 1 or sum(value(m) for m in hidden_members) < THRESHOLD


def _sums_of(sums: list) -> dict[tuple, list[int]]:
    """key → the sums it is the total or a member of."""
    found: dict[tuple, list[int]] = defaultdict(list)
    for index, (total, members) in enumerate(sums):
        found[total].append(index)
        for member in members:
            found[member].append(index)
    return found


def suppress_one(keys: list[tuple], value: Callable[[tuple], int], start: dict[tuple, str] | None = None,
                 sums: list | None = None, sums_of: dict | None = None, exact: bool = False,
                 holds: Callable[[tuple, list], bool] | None = None) -> dict[tuple, str]:
    """{key: "<5" | "x"} for one measure whose value per cell is ``value(key)``. ``exact``: only the sums that
    hold for this measure count (a count of persons with a budget is not split by service type: the total
    over service types is not the sum of its members, and nothing can be subtracted from it)."""
    hidden = dict(start or {})
    for key in keys:
        if key not in hidden and 0 < value(key) < THRESHOLD:
            hidden[key] = PRIMARY
    sums = relations(keys) if sums is None else sums
    sums_of = _sums_of(sums) if sums_of is None else sums_of
    # Work list: only sums that hold a hidden figure can give one away; hiding a figure re-checks its sums.
    # Taken in the sums' order (a heap of their indexes): the outcome depends on the cells only.
    queued = {index for key in hidden for index in sums_of.get(key, ())}
    pending = sorted(queued)
    while pending:
        index = heapq.heappop(pending)
        queued.discard(index)
        total, members = sums[index]
        if exact and value(total) != sum(value(m) for m in members):
            continue
        if holds is not None and not holds(total, members):
            continue
        while _needs_more(total, members, hidden, value):
            candidates = [m for m in members if m not in hidden and value(m) > 0]
            if candidates:
                chosen = min(candidates, key=lambda m: (value(m), m))
            elif total not in hidden:
                chosen = total
            else:
                break  # a hidden total over zeros: nothing left to give it away
            hidden[chosen] = SECONDARY
            for again in sums_of.get(chosen, ()):
                if again not in queued:
                    queued.add(again)
                    heapq.heappush(pending, again)
    return hidden


Markers = dict[tuple, dict[str, str]]  # {key: {"persons" or measure: "<5" | "x"}}


def _exact(cells: dict, measure: str, total: tuple, members: list) -> bool:
    value = cells[total].get(measure, 0)
    return bool(value) and value == sum(cells[m].get(measure, 0) if m in cells else 0 for m in members)


def governed_sum_holds(cells: dict, total: tuple, members: list) -> bool:
    """Whether a sum gives anything away about the figures the persons' markers govern: the persons themselves
    or a money measure, when the total (not zero) is exactly the members' sum. Distinct persons do not add up
    over months or service types, and money not tied to a service type (grants, returns, payments outside an
    agreement) stays in the all-types total only: there the total minus the shown types is the hidden types
    *plus* that money, which is published nowhere — nothing of a hidden type can be worked out, and a large
    total need not be hidden beside one small type (the over-suppression of Latvia's adults and children). A
    cell without money figures (``cells[key]`` holding only counts) is judged by its persons alone."""
    return any(_exact(cells, measure, total, members) for measure in ("persons", *GOVERNED_MONEY)
               if measure == "persons" or measure in cells[total])


def suppress_unit(cells: dict[tuple, dict], keys: Iterable[tuple], measures: Iterable[str],
                  seeds: Markers | None = None, *, totals_at: str | None = None) -> Markers:
    """The markers of ``keys`` (the cells of one unit, see ``suppress``), over the sums among them (only those
    whose total is at level ``totals_at`` when given). ``cells[key]`` holds ``persons`` and the counts;
    ``seeds``: markers already decided (hidden from the start). The persons are decided first (they govern
    money, days and every figure not counted on its own); a cell whose persons are fewer than five hides each
    count too, and each count then runs on its own."""
    keys = sorted(keys)
    sums = relations(keys)
    if totals_at is not None:
        sums = [(total, members) for total, members in sums if total[LEVEL] == totals_at]
    sums_of = _sums_of(sums)
    seeds = seeds or {}

    def seeded(measure):
        return {key: marks[measure] for key, marks in seeds.items() if measure in marks}

    persons = suppress_one(keys, lambda k: cells[k]["persons"], start=seeded("persons"), sums=sums,
                           sums_of=sums_of, holds=lambda total, members: governed_sum_holds(cells, total, members))
    result: Markers = defaultdict(dict)
    for key, marker in persons.items():
        result[key]["persons"] = marker
    primary = {key: marker for key, marker in persons.items() if marker == PRIMARY}
    for measure in measures:
        # A small cell's count is protected when it is not zero: a zero is about nobody, is shown as 0 (``shown``)
        # and needs no company — protecting zeros hid large national counts through chains of zeros.
        small = {key: marker for key, marker in primary.items() if cells[key][measure]}
        hidden = suppress_one(keys, lambda k, m=measure: cells[k][m], start={**seeded(measure), **small},
                              sums=sums, sums_of=sums_of, exact=True)
        for key, marker in hidden.items():
            if key not in primary:
                result[key][measure] = marker
    return dict(result)


def _new_markers(found: Markers, had: Markers) -> Markers:
    new: Markers = {}
    for key, marks in found.items():
        extra = {m: v for m, v in marks.items() if m not in had.get(key, {})}
        if extra:
            new[key] = extra
    return new


def suppress_staged(regions: Iterable[str], top: dict[tuple, dict], measures: Iterable[str],
                    stage: Callable[[str, Markers], Markers]) -> tuple[Markers, dict[str, Markers], dict[str, Markers]]:
    """The cube suppressed in units, so that a publication can redo only what a change touches.

    A **region's unit** is its cells and its municipalities' cells, with every sum whose total is one of them
    (a municipality's groups, types and periods; region = its municipalities; the region's own groups, types,
    periods). ``stage(region, seeds)`` suppresses it (``suppress_unit``) and returns at least the markers of
    its region-level cells. The **national unit** is Latvia's cells with the sums whose total is Latvia's
    (Latvia = the regions; Latvia's groups, types, periods), run over Latvia's and the regions' cells with the
    regions' markers as seeds. Where it has to hide a region's cell too (a region hidden alone beside Latvia's
    total), that marker becomes a seed of the region's unit, which is redone; and so on until Latvia adds
    nothing. Each unit's own sums are then satisfied, and every sum belongs to exactly one unit.

    ``top``: the national and region-level cells. Returns (national markers, {region: its stage's markers},
    {region: the seeds Latvia pushed into it}) — the same for the same cells, however they were reached."""
    regions = sorted(regions)
    pushed: dict[str, Markers] = {region: {} for region in regions}
    found = {region: stage(region, {}) for region in regions}
    while True:
        seeds = {key: marks for region in regions for key, marks in found[region].items() if key[LEVEL] == "region"}
        national = suppress_unit(top, top, measures, seeds, totals_at="national")
        new = _new_markers({k: v for k, v in national.items() if k[LEVEL] == "region"}, seeds)
        if not new:
            return {k: v for k, v in national.items() if k[LEVEL] == "national"}, found, pushed
        for region in sorted({key[REGION] for key in new}):
            for key, marks in new.items():
                if key[REGION] == region:
                    pushed[region].setdefault(key, {}).update(marks)
            found[region] = stage(region, pushed[region])


def shown(hidden: dict, measure: str, value, *, counts: Iterable[str] = ()):
    """What a face shows for ``measure`` of a cell whose hidden markers are ``hidden``: the value or a marker.
    Provider figures are about organisations and never hidden; everything else follows the cell's persons."""
    if measure.startswith("providers_"):
        return value
    if measure in counts:  # a count follows its own markers, and the persons' only when they are fewer than five
        # and it is not zero (a zero is about nobody)
        marker = hidden.get(measure) or (PRIMARY if hidden.get("persons") == PRIMARY and value else None)
    else:
        marker = hidden.get("persons")
    return marker or value
