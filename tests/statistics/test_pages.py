"""The dashboard, the pilot report, exports and the open-data API: who may see them, tenancy, no personal
data in any response, bad input, query counts."""

from __future__ import annotations

import io
import re

import pytest
from django.db import connection
from openpyxl import load_workbook

from portal.budgets.people.models import Assessment, Consent, Goal, Person, SupportPlan
from portal.marketplace.agreements.models import Agreement
from portal.statistics.models import StatCell
from portal.tenants.roles import Role
from tests.conftest import MUNICIPALITY_A, MUNICIPALITY_B

DASHBOARD = "/statistika/"
TABLES = ("overview", "funding", "agreements", "goals", "months", "regions", "municipalities")


def _personal_strings(municipality) -> set[str]:
    """Everything about persons in the municipality's schema that must never reach a ministry response."""
    connection.set_tenant(municipality)
    found = set()
    for p in Person.objects.all():
        found |= {p.personal_code, p.personal_code.replace("-", ""), f"{p.first_name} {p.last_name}", p.last_name,
                  p.address, p.phone, p.email}
    found |= set(Goal.objects.values_list("text", flat=True)) | set(Goal.objects.values_list("outcome_comment",
                                                                                             flat=True))
    found |= set(Assessment.objects.values_list("summary", flat=True))
    found |= set(SupportPlan.objects.values_list("review_comment", flat=True))
    found |= set(Agreement.objects.values_list("explanation", flat=True))
    found |= set(Consent.objects.values_list("given_by_name", flat=True))
    connection.set_schema_to_public()
    return {s for s in found if s and len(s) >= 5}


def _responses(client_for, user_of):
    analyst = client_for(None, user=user_of(Role.MINISTRY_ANALYST))
    admin = client_for(MUNICIPALITY_A, user=user_of(Role.MUNICIPALITY_ADMIN, MUNICIPALITY_A))
    api = client_for(None)
    urls = [(analyst, DASHBOARD), (analyst, DASHBOARD + "?region=zemgale&target_group=children"),
            (analyst, DASHBOARD + "?municipality=liepaja&service_type=respite-care"),
            (analyst, "/statistika/pilots/"), (admin, DASHBOARD)]
    urls += [(analyst, f"/statistika/eksports/{t}.csv") for t in TABLES]
    urls += [(analyst, f"/statistika/pilots/eksports/{t}.csv") for t in ("pilot-participants", "pilot-costs",
                                                                          "pilot-goals")]
    urls += [(api, u) for u in ("/api/v1/stats/", "/api/v1/stats/cells/", "/api/v1/stats/cells/?level=municipality",
                                "/api/v1/stats/cells/?level=municipality&period=" + StatCell.objects.exclude(
                                    period="").values_list("period", flat=True).first(),
                                "/api/v1/stats/municipalities/", "/api/v1/stats/pilot/")]
    for client, url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        yield url, response.content.decode("utf-8")
    xlsx = analyst.get("/statistika/eksports/municipalities.xlsx")
    book = load_workbook(io.BytesIO(xlsx.content))
    yield "xlsx", "\n".join(str(c.value) for row in book.active.iter_rows() for c in row)


def test_no_ministry_response_holds_personal_data(cube, muni_a, muni_b, client_for, user_of):
    personal = _personal_strings(muni_a) | _personal_strings(muni_b)
    assert len(personal) > 50
    seen = 0
    for url, body in _responses(client_for, user_of):
        seen += 1
        for text in personal:
            assert text not in body, (url, text)
        assert not re.search(r"/personas/\d+|person_id|\"person\"", body), url
    assert seen >= 20


def test_the_analyst_sees_every_municipality_and_the_figures_hide_small_cells(cube, client_for, user_of):
    response = client_for(None, user=user_of(Role.MINISTRY_ANALYST)).get(DASHBOARD + "?service_type=respite-care")
    body = response.content.decode()
    assert response.status_code == 200
    assert "Jelgavas valstspilsēta" in body and "Liepājas valstspilsēta" in body
    assert "<svg" in body and "<table" in body and "&lt;5" in body


def test_the_analyst_cannot_open_a_municipality_s_personal_pages(cube, muni_a, client_for, user_of):
    connection.set_tenant(muni_a)
    person = Person.objects.first()
    connection.set_schema_to_public()
    client = client_for(MUNICIPALITY_A, user=user_of(Role.MINISTRY_ANALYST))
    for url in ("/personas/", f"/personas/{person.pk}/", "/budzeti/", DASHBOARD, "/api/v1/people/"):
        response = client.get(url)
        assert response.status_code in (403, 404), url
        assert person.last_name not in response.content.decode()


@pytest.mark.parametrize("role", [Role.SOCIAL_WORKER, Role.PERSON, Role.LEGAL_REPRESENTATIVE, Role.PROVIDER_STAFF])
def test_other_roles_are_refused(cube, client_for, user_of, role):
    user = user_of(role) if role == Role.PROVIDER_STAFF else user_of(role, MUNICIPALITY_A)
    assert client_for(None, user=user).get(DASHBOARD).status_code == 403
    assert client_for(MUNICIPALITY_A, user=user).get(DASHBOARD).status_code == 403
    assert client_for(None, user=user).get("/statistika/pilots/").status_code == 403


def test_anonymous_is_sent_to_sign_in(client_for):
    assert client_for(None).get(DASHBOARD).status_code == 302


@pytest.mark.parametrize("role", [Role.MUNICIPALITY_ADMIN, Role.FINANCE_OFFICER])
def test_a_municipality_sees_its_own_figures_beside_region_and_latvia(cube, client_for, user_of, role):
    client = client_for(MUNICIPALITY_A, user=user_of(role, MUNICIPALITY_A))
    body = client.get(DASHBOARD + "?municipality=liepaja&region=kurzeme").content.decode()
    assert "Jelgavas valstspilsēta" in body and "Zemgale" in body and "Latvija" in body
    assert "Liepājas valstspilsēta" not in body  # pinned to its own municipality; no ranking of the others
    # The same request on the other municipality's host finds nothing for it.
    assert client_for(MUNICIPALITY_B, user=user_of(role, MUNICIPALITY_A)).get(DASHBOARD).status_code == 403
    csv = client.get("/statistika/eksports/overview.csv").content.decode("utf-8-sig")
    assert "Jelgavas valstspilsēta" in csv and "Liepājas" not in csv
    assert client.get("/statistika/pilots/").status_code == 404  # the pilot report is the ministry's


def test_exports_are_csv_and_xlsx_of_the_same_figures(cube, client_for, user_of):
    client = client_for(None, user=user_of(Role.MINISTRY_ANALYST))
    csv = client.get("/statistika/eksports/municipalities.csv")
    assert csv["Content-Type"].startswith("text/csv") and "attachment" in csv["Content-Disposition"]
    xlsx = client.get("/statistika/eksports/municipalities.xlsx")
    rows = list(load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True))
    lines = csv.content.decode("utf-8-sig").strip().splitlines()
    assert len([r for r in rows if r and r[0] is not None and r[1] is not None]) == len(lines)
    assert client.get("/statistika/eksports/nothing.csv").status_code == 404
    assert client.get("/statistika/eksports/overview.pdf").status_code == 404


def test_the_open_data_api_is_open_and_documented(cube, client_for):
    client = client_for(None)
    root = client.get("/api/v1/stats/")
    assert root.status_code == 200 and root["Access-Control-Allow-Origin"] == "*"
    datasets = {d["name"]: d for d in root.json()["datasets"]}
    assert set(datasets) == {"cells", "municipalities", "pilot"}
    units = {f["name"]: f["unit"] for f in datasets["cells"]["fields"]}
    assert units["spent"] == "EUR" and units["persons"] == "persons"
    for dataset in datasets.values():
        response = client.get(dataset["url"])
        assert response.status_code == 200 and response["Access-Control-Allow-Origin"] == "*"
    cells = client.get("/api/v1/stats/cells/?level=municipality").json()
    assert cells["count"] == 2 and {c["geo"] for c in cells["results"]} == {"jelgava", "liepaja"}
    assert isinstance(cells["results"][0]["spent"], str)  # money as a decimal string, to the cent
    schema = client.get("/api/schema/").content.decode()
    assert "/api/v1/stats/cells/" in schema and "/api/v1/stats/" in schema
    assert client.get("/api/v1/people/").status_code in (401, 403, 404)  # CORS is on these responses only
    assert "Access-Control-Allow-Origin" not in client.get("/api/v1/municipalities/")


def test_bad_api_filters_are_refused_with_a_code(cube, client_for):
    client = client_for(None)
    before = StatCell.objects.count()
    for query in ("region=atlantis", "target_group=cats", "period=1999", "municipality=nowhere", "level=moon",
                  "page=two"):
        response = client.get(f"/api/v1/stats/cells/?{query}")
        assert response.status_code == 400, query
        assert response.json()["code"] == "statistics.invalid_filter"
        assert response["Access-Control-Allow-Origin"] == "*"
    assert StatCell.objects.count() == before


def test_the_api_is_not_on_a_municipality_s_site(client_for):
    assert client_for(MUNICIPALITY_A).get("/api/v1/stats/").status_code == 404


def test_query_counts(cube, client_for, user_of, django_assert_max_num_queries):
    analyst = client_for(None, user=user_of(Role.MINISTRY_ANALYST))
    admin = client_for(MUNICIPALITY_A, user=user_of(Role.MUNICIPALITY_ADMIN, MUNICIPALITY_A))
    api = client_for(None)
    for warm in (False, True):  # first after the publication (rendered, one more: its token), then cached
        with django_assert_max_num_queries(7 if warm else 19):
            assert analyst.get(DASHBOARD + "?region=zemgale&period=").status_code == 200
        with django_assert_max_num_queries(7 if warm else 19):
            assert admin.get(DASHBOARD).status_code == 200
    with django_assert_max_num_queries(6):
        assert api.get("/api/v1/stats/cells/?level=municipality").status_code == 200
    with django_assert_max_num_queries(6):
        assert api.get("/api/v1/stats/municipalities/").status_code == 200


def test_the_pilot_report_sets_the_figures_beside_the_pilots(cube, client_for, user_of):
    tables = {t["name"]: t for t in client_for(None).get("/api/v1/stats/pilot/").json()["tables"]}
    costs = {row["unit"]: row for row in tables["pilot-costs"]["rows"]}
    assert costs["Bērna gads"]["pilot"] == "7002.53" and costs["Pieaugušā gads"]["pilot"] == "8885.44"
    regions = {row["region"]: row for row in tables["pilot-participants"]["rows"]}
    assert regions["Zemgale"]["adults_target"] == 40 and regions["Zemgale"]["children_target"] == 20
    assert regions["Zemgale"]["children"] == 8 and regions["Zemgale"]["children_percent"] == "40"  # Jelgava's 8
    assert "Zemgale" in tables["pilot-participants"]["summary"]
    page = client_for(None, user=user_of(Role.MINISTRY_ANALYST)).get("/statistika/pilots/").content.decode()
    assert "7002.53" in page and "<svg" in page


def test_the_ranked_api_is_paged_and_its_export_complete(cube, client_for, user_of, monkeypatch):
    """The ranked dataset comes a page at a time (ranked and cut in SQL) with ``count`` and the ``next`` URL;
    following ``next`` gives the same rows in the same order as the complete CSV export."""
    from portal.api.statistics import views

    monkeypatch.setattr(views, "RANKED_PAGE_SIZE", 1)
    client, rows = client_for(None), []
    url = "/api/v1/stats/municipalities/"
    while url:
        body = client.get(url).json()
        assert body["count"] == 2 and len(body["rows"]) == 1 and body["units"]["granted"] == "EUR"
        rows += body["rows"]
        url = body["next"]
    assert [r["rank"] for r in rows] == [1, 2] and len({r["municipality"] for r in rows}) == 2
    csv = client_for(None, user=user_of(Role.MINISTRY_ANALYST)).get("/statistika/eksports/municipalities.csv")
    lines = csv.content.decode("utf-8-sig").strip().splitlines()[1:]
    assert [line.split(",")[1] for line in lines] == [r["municipality"] for r in rows]
    assert client.get("/api/v1/stats/municipalities/?page=x").json()["code"] == "statistics.invalid_filter"
