"""Bad input never gives a 5xx (issue 15), the cases beyond the NUL middleware: session CSV files, the admin's
user deletion. Each asserts a 4xx (or a refused form) and that nothing was written."""

from __future__ import annotations

import pytest

from portal.marketplace.invoicing.csvimport import CsvInvalid, read_sessions_csv
from portal.platform.accounts.models import User
from portal.tenants.roles import Role
from tests.conftest import MUNICIPALITY_A, demo_user

pytestmark = pytest.mark.django_db

BAD_CSV = {
    "row longer than the header": b"date,units,staff\n2026-01-05,1,Anna,extra,more\n",
    "units NaN": b"date,units,staff\n2026-01-05,NaN,Anna\n",
    "units sNaN": b"date,units,staff\n2026-01-05,sNaN,Anna\n",
    "units Infinity": b"date,units,staff\n2026-01-05,Infinity,Anna\n",
    "NUL in a cell": b"date,units,staff\n2026-01-05,1,An\x00na\n",
    "NUL in the header": b"date,units,sta\x00ff\n2026-01-05,1,Anna\n",
    "not UTF-8": "date,units,staff\n2026-01-05,1,Anna\n".encode("utf-16"),
}


@pytest.mark.parametrize("name", sorted(BAD_CSV))
def test_a_bad_session_csv_is_refused_by_line_not_by_a_500(name):
    try:
        rows, problems = read_sessions_csv(BAD_CSV[name])
    except CsvInvalid:
        return  # the whole file refused with its message
    if name.startswith("units"):
        from portal.marketplace.invoicing.sessions import _decimal
        from portal.marketplace.invoicing.errors import SessionInvalid
        with pytest.raises(SessionInvalid):
            _decimal(rows[0][1]["units"], "units")
    else:
        assert problems and not rows


def test_the_admin_cannot_delete_a_user_it_deactivates_instead(client_for):
    admin = demo_user(Role.PLATFORM_ADMIN)
    admin.is_staff = admin.is_superuser = True
    admin.save(update_fields=["is_staff", "is_superuser"])
    person = demo_user(Role.PERSON)
    client = client_for(None, user=admin)
    page = client.get(f"/admin/accounts/user/{person.pk}/delete/")
    assert page.status_code == 403
    assert client.post(f"/admin/accounts/user/{person.pk}/delete/", {"post": "yes"}).status_code == 403
    assert User.objects.filter(pk=person.pk).exists()
    listing = client.post("/admin/accounts/user/", {"action": "delete_selected", "_selected_action": [person.pk]})
    assert listing.status_code < 500
    assert User.objects.filter(pk=person.pk).exists()


def test_a_service_description_has_a_length_limit_in_the_api_and_the_service(client_for):
    from portal.marketplace.catalogue.errors import CatalogueInvalid
    from portal.marketplace.catalogue.models import DESCRIPTION_MAX, Service
    from portal.marketplace.catalogue.services import service_update
    from tests.factories import make_provider, make_service, own_staff_user

    provider = make_provider()
    service = make_service(provider, "psychologist", "30.00")
    staff = own_staff_user(provider)
    before = Service.objects.get(pk=service.pk).description_lv
    client = client_for(None, user=staff)
    for field in ("description_lv", "description_en"):
        response = client.patch(f"/api/v1/catalogue/my/services/{service.pk}/", {field: "x" * 500_000},
                                content_type="application/json")
        assert response.status_code == 400 and response.json()["field"] == field
    with pytest.raises(CatalogueInvalid) as refused:
        service_update(service=service, actor=staff, description_lv="x" * (DESCRIPTION_MAX + 1))
    assert refused.value.field == "description_lv"
    assert Service.objects.get(pk=service.pk).description_lv == before
    ok = client.patch(f"/api/v1/catalogue/my/services/{service.pk}/", {"description_lv": "x" * DESCRIPTION_MAX},
                      content_type="application/json")
    assert ok.status_code == 200


def test_the_schema_says_an_agreement_may_have_no_decider_yet(client_for):
    schema = client_for(MUNICIPALITY_A).get("/api/schema/?format=json").json()
    props = schema["components"]["schemas"]["AgreementOut"]["properties"]
    assert props["decided_by"].get("nullable") is True and props["prepared_by"].get("nullable") is True
