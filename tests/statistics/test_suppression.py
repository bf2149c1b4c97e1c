"""Small-cell suppression: a figure about fewer than five persons is never shown nor worked out — not from
totals, not by subtracting two filters or two periods (an attacker's differencing over the whole cube)."""

from __future__ import annotations

from portal.statistics import suppression
from portal.statistics.models import COUNT_MEASURES, MONEY_MEASURES, StatCell
from portal.statistics.selectors import figures, is_marker
from portal.statistics.services import statistics_publish

M = "municipality"


def _cube(values: dict) -> dict:
    """{key: persons} → cells with every count equal to persons."""
    return {k: {"persons": v, **dict.fromkeys(COUNT_MEASURES, 0)} for k, v in values.items()}


def test_a_single_small_cell_gets_company_and_the_hidden_sum_is_never_small():
    region = ("region", "zemgale", "zemgale", "", "", "")
    a, b, c = [(M, code, "zemgale", "", "", "") for code in ("a", "b", "c")]
    hidden = suppression.suppress_one([region, a, b, c], {region: 33, a: 3, b: 10, c: 20}.get)
    assert hidden[a] == "<5" and hidden[b] == "x" and c not in hidden and region not in hidden


def test_two_small_cells_adding_up_to_less_than_five_get_a_third():
    region = ("region", "zemgale", "zemgale", "", "", "")
    a, b, c, d = [(M, code, "zemgale", "", "", "") for code in "abcd"]
    hidden = suppression.suppress_one([region, a, b, c, d], {region: 39, a: 1, b: 2, c: 30, d: 6}.get)
    assert {k for k in (a, b, c, d) if k in hidden} == {a, b, d}


def test_a_small_total_hides_its_only_member():
    total = (M, "a", "zemgale", "", "", "")
    children = (M, "a", "zemgale", "children", "", "")
    adults = (M, "a", "zemgale", "adults", "", "")
    hidden = suppression.suppress_one([total, children, adults], {total: 3, children: 3, adults: 0}.get)
    assert hidden == {total: "<5", children: "<5"}


def _attack(cells: dict) -> list:
    """Every way to learn a hidden figure from published ones: for each sum of the cube that holds for the
    measure (its true total is exactly the true members' sum), total minus the visible members. Returns the
    disclosures: a single hidden member recovered, or hidden members that add up to 1–4 (counts), or whose
    persons add up to 1–4 (money: what is recovered is the money of fewer than five persons)."""
    found = []
    truth = {c.key(): c for c in StatCell.objects.all()}

    def true(key, m):
        return getattr(truth[key], m) if key in truth else 0

    for measure in ("persons", *COUNT_MEASURES, *MONEY_MEASURES):
        def shown(key, m=measure):
            value = cells[key][m] if key in cells else 0
            return value if not is_marker(value) else None

        for total, members in suppression.relations(cells):
            if shown(total) is None or true(total, measure) != sum(true(k, measure) for k in members):
                continue  # this sum does not hold for the measure: nothing to subtract
            if measure in MONEY_MEASURES and not true(total, measure):
                continue  # nothing but zeros
            hidden = [m for m in members if shown(m) is None]
            if measure in MONEY_MEASURES:
                weight = sum(true(k, "persons") for k in hidden)
                if len(hidden) == 1 or (hidden and weight < suppression.THRESHOLD):
                    found.append((measure, total, hidden, weight))
                continue
            rest = shown(total) - sum(shown(m) for m in members if shown(m) is not None)
            if len(hidden) == 1 or (hidden and 0 < rest < suppression.THRESHOLD):
                found.append((measure, total, hidden, rest))
    return found


def _published() -> dict:
    return {c.key(): (lambda f: {**f, "budget_months": f["person_years"]})(figures(c)) for c in StatCell.objects.all()}


def test_the_attacker_learns_nothing_from_the_demo_cube(cube):
    cells = _published()
    assert any(is_marker(f["persons"]) for f in cells.values()), "the demo has small cells to protect"
    assert _attack(cells) == []
    for key, f in cells.items():  # no figure of 1–4 about persons is ever shown
        for measure in ("persons", *COUNT_MEASURES):
            assert is_marker(f[measure]) or not 0 < f[measure] < 5, (key, measure)


def test_differencing_two_filters_and_two_periods_on_a_crafted_cube(cube):
    """Jelgava's children in one month are 2 persons: subtracting Jelgava's adults from both groups, the
    region's other municipality from the region, or the year's other months from the year all fail."""
    StatCell.objects.all().delete()
    rows = []
    for code, region, children, adults in (("jelgava", "zemgale", 2, 30), ("bauska", "zemgale", 12, 9),
                                           ("liepaja", "kurzeme", 20, 20)):
        for group, n in (("children", children), ("adults", adults)):
            for period, value in (("2026-01", n), ("2026-02", 7), ("2026", n + 7), ("", n + 7)):
                rows.append(StatCell(level=M, geo=code, region=region, target_group=group, period=period,
                                     persons=value, persons_with_budget=value))
    StatCell.objects.bulk_create(rows)
    statistics_publish()
    cells = _published()
    small = cells[(M, "jelgava", "zemgale", "children", "", "2026-01")]
    assert small["persons"] == "<5" and small["persons_with_budget"] == "<5"
    assert _attack(cells) == []
    # The two filters an attacker would subtract: both groups minus adults; the region minus Bauska.
    both = cells[(M, "jelgava", "zemgale", "", "", "2026-01")]["persons"]
    adults = cells[(M, "jelgava", "zemgale", "adults", "", "2026-01")]["persons"]
    assert is_marker(both) or is_marker(adults)
    region = cells[("region", "zemgale", "zemgale", "children", "", "2026-01")]["persons"]
    bauska = cells[(M, "bauska", "zemgale", "children", "", "2026-01")]["persons"]
    assert is_marker(region) or is_marker(bauska)
    year = cells[(M, "jelgava", "zemgale", "children", "", "2026")]["persons"]
    february = cells[(M, "jelgava", "zemgale", "children", "", "2026-02")]["persons"]
    assert is_marker(year) or is_marker(february)


def _typed(total_spent, typed_spent) -> dict:
    """Latvia's adults: 104 persons in all, one service type with 4 of them (its money hidden)."""
    total, typed = ("national", "lv", "", "adults", "", ""), ("national", "lv", "", "adults", "decision-support", "")
    money = dict.fromkeys(MONEY_MEASURES, 0)
    return {total: {"persons": 104, **dict.fromkeys(COUNT_MEASURES, 0), **money, "spent": total_spent},
            typed: {"persons": 4, **dict.fromkeys(COUNT_MEASURES, 0), **money, "spent": typed_spent}}


def test_one_small_service_type_does_not_hide_a_total_that_holds_other_money():
    """The all-types total also holds money not tied to the small type (here 340 510 EUR of 340 510 + 587): the
    total minus the shown types is the small type *plus* money published nowhere — the total stays shown."""
    cells = _typed(340510, 587)
    hidden = suppression.suppress_unit(cells, cells, COUNT_MEASURES)
    assert hidden[("national", "lv", "", "adults", "decision-support", "")]["persons"] == "<5"
    assert "persons" not in hidden.get(("national", "lv", "", "adults", "", ""), {})


def test_a_total_that_is_exactly_its_small_type_is_hidden():
    """When every euro of the total is the small type's, the total would give it away: it is hidden."""
    cells = _typed(587, 587)
    hidden = suppression.suppress_unit(cells, cells, COUNT_MEASURES)
    assert hidden[("national", "lv", "", "adults", "", "")]["persons"] == "x"
