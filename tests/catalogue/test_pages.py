"""Catalogue pages: what each site and role sees, tenancy, refusals, query counts."""

from decimal import Decimal

import pytest
from django_tenants.utils import tenant_context

from portal.marketplace.approvals.models import PriceCap
from portal.marketplace.catalogue.models import CatalogueChange, Provider, Service
from portal.tenants.roles import Role
from portal.marketplace.catalogue.validators import make_company_number
from tests.catalogue.conftest import profile_data
from tests.conftest import MUNICIPALITY_A, MUNICIPALITY_B, demo_user


def test_service_page_states_the_price_against_this_municipalitys_cap(client_for, new_service, django_assert_max_num_queries):
    client = client_for(MUNICIPALITY_A)
    with django_assert_max_num_queries(12):
        response = client.get(f"/pakalpojumi/{new_service.pk}/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "55,00\xa0EUR" in text and "45,00\xa0EUR" in text and "10,00\xa0EUR" in text
    assert "līdzmaksājum" in text  # co-payment explained
    assert "openstreetmap.org" not in text or "mlat=" in text
    assert 'catalogue/_service_actions' not in text


def test_service_page_in_english(client_for, new_service):
    response = client_for(MUNICIPALITY_A, language="en").get(f"/pakalpojumi/{new_service.pk}/")
    text = response.content.decode()
    assert "Family psychologist consultation" in text
    assert "10.00\xa0EUR per unit above the cap" in text


def test_service_approved_in_one_municipality_is_not_found_in_the_other(client_for, new_service):
    assert client_for(MUNICIPALITY_A).get(f"/pakalpojumi/{new_service.pk}/").status_code == 200
    assert client_for(MUNICIPALITY_B).get(f"/pakalpojumi/{new_service.pk}/").status_code == 404


def test_national_service_page_shows_a_map_link_and_no_cap(client_for, provider):
    service = provider.services.filter(is_active=True, locations__isnull=False).first()
    response = client_for(None).get(f"/pakalpojumi/{service.pk}/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "https://www.openstreetmap.org/?mlat=" in text
    assert "Katra pašvaldība nosaka savus cenu griestus" in text


def test_unverified_provider_is_hidden_from_visitors(client_for):
    pending = Provider.objects.filter(status="pending").first()
    assert client_for(None).get(f"/sniedzeji/{pending.slug}/").status_code == 404
    service = pending.services.first()
    assert client_for(None).get(f"/pakalpojumi/{service.pk}/").status_code == 404


def test_provider_page_lists_only_services_approved_here(client_for, provider, new_service, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        a = client_for(MUNICIPALITY_A).get(f"/sniedzeji/{provider.slug}/")
    assert a.status_code == 200 and new_service.title_lv in a.content.decode()
    b = client_for(MUNICIPALITY_B).get(f"/sniedzeji/{provider.slug}/")
    assert b.status_code == 200 and new_service.title_lv not in b.content.decode()


def test_provider_not_approved_in_a_municipality_is_not_found_there(client_for, muni_b):
    with tenant_context(muni_b):
        from portal.marketplace.approvals.models import ProviderApproval

        approved = set(ProviderApproval.objects.filter(status="approved").values_list("provider_id", flat=True))
    other = Provider.objects.filter(status="verified").exclude(pk__in=approved).first()
    assert client_for(MUNICIPALITY_B).get(f"/sniedzeji/{other.slug}/").status_code == 404


# ---- provider self-service --------------------------------------------------------------------------

SELF_SERVICE = ["/mans-sniedzejs/{slug}/", "/mans-sniedzejs/{slug}/profils/", "/mans-sniedzejs/{slug}/pakalpojumi/",
                "/mans-sniedzejs/{slug}/pakalpojumi/jauns/", "/mans-sniedzejs/{slug}/darbinieki/",
                "/mans-sniedzejs/{slug}/vesture/", "/mans-sniedzejs/{slug}/vietas/jauna/"]


@pytest.mark.parametrize("path", SELF_SERVICE)
def test_provider_staff_pages(client_for, provider, staff_user, path, django_assert_max_num_queries):
    client = client_for(None, user=staff_user)
    with django_assert_max_num_queries(15):
        response = client.get(path.format(slug=provider.slug))
    assert response.status_code == 200


@pytest.mark.parametrize("path", SELF_SERVICE)
def test_other_providers_pages_are_not_found_for_staff(client_for, staff_user, path):
    other = Provider.objects.exclude(staff__user=staff_user).first()
    assert client_for(None, user=staff_user).get(path.format(slug=other.slug)).status_code == 404


def test_self_service_refuses_other_roles(client_for, provider):
    response = client_for(None, user=demo_user(Role.MINISTRY_ANALYST)).get(f"/mans-sniedzejs/{provider.slug}/")
    assert response.status_code == 403
    assert client_for(None).get(f"/mans-sniedzejs/{provider.slug}/").status_code == 302


def test_self_service_does_not_exist_on_a_municipality_site(client_for, provider, staff_user):
    assert client_for(MUNICIPALITY_A, user=staff_user).get(f"/mans-sniedzejs/{provider.slug}/").status_code == 404


def test_dashboard_link_takes_staff_to_their_provider(client_for, provider, staff_user):
    response = client_for(None, user=staff_user).get("/mans-sniedzejs/")
    assert response.status_code == 302 and response["Location"].endswith(f"/mans-sniedzejs/{provider.slug}/")


def test_staff_changes_a_price_from_the_page_and_history_shows_it(client_for, provider, staff_user):
    service = provider.services.filter(locations__isnull=True).first() or provider.services.first()
    client = client_for(None, user=staff_user)
    form = client.get(f"/mans-sniedzejs/{provider.slug}/pakalpojumi/{service.pk}/").context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None and k != "locations"}
    data.update(service_type=service.service_type_id, unit_price="77.70",
                locations=[loc.pk for loc in service.locations.all()], is_active="on")
    response = client.post(f"/mans-sniedzejs/{provider.slug}/pakalpojumi/{service.pk}/", data)
    assert response.status_code == 302
    service.refresh_from_db()
    assert service.unit_price == Decimal("77.70")
    history = client.get(f"/mans-sniedzejs/{provider.slug}/vesture/").content.decode()
    assert "77.70" in history and staff_user.email in history


def test_bad_price_on_the_page_shows_the_error_and_saves_nothing(client_for, provider, staff_user):
    service = provider.services.first()
    client = client_for(None, user=staff_user)
    form = client.get(f"/mans-sniedzejs/{provider.slug}/pakalpojumi/{service.pk}/").context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None and k != "locations"}
    data.update(service_type=service.service_type_id, unit_price="-3")
    changes = CatalogueChange.objects.count()
    response = client.post(f"/mans-sniedzejs/{provider.slug}/pakalpojumi/{service.pk}/", data)
    assert response.status_code == 400
    assert "govuk-error-summary" in response.content.decode()
    assert Service.objects.get(pk=service.pk).unit_price == service.unit_price
    assert CatalogueChange.objects.count() == changes


def test_visitor_signs_up_on_the_national_site_and_confirms_the_address(
        client_for, django_assert_max_num_queries, django_capture_on_commit_callbacks):
    import re

    from django.core import mail

    client = client_for(None)
    assert client.get("/sniedzeja-registracija/").status_code == 200
    data = profile_data(full_name="Anna Jauna", account_email="anna@jaunais.lv", password="ļoti-drošs-2026")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/sniedzeja-registracija/", data)
    assert response.status_code == 200, response.context.get("form") and response.context["form"].errors
    assert "anna@jaunais.lv" in response.content.decode() and "_auth_user_id" not in client.session
    provider = Provider.objects.get(company_number=data["company_number"])
    assert provider.status == "pending"
    link = re.search(r"http://localhost(/sniedzeja-registracija/apstiprinat/[^\s]+/)", mail.outbox[0].body).group(1)
    response = client.get(link)
    assert response.status_code == 302 and response["Location"] == f"/mans-sniedzejs/{provider.slug}/"
    owner = client.get(response["Location"])  # signed in as the new owner, who (staff) sets up two-step first
    assert owner.status_code == 302 and owner["Location"].startswith("/konts/otrais-solis/iestatit/")
    client.post("/konts/iziet/")
    assert client_for(None).get(link).status_code == 400  # the link works once


def test_sign_up_answers_the_same_for_an_existing_address(client_for, user_of, django_capture_on_commit_callbacks):
    """No account enumeration: the page is the same; the existing account's owner is told by e-mail."""
    from django.core import mail

    existing = user_of(Role.PROVIDER_STAFF)
    pages = []
    for n, email in enumerate(["jauna.adrese@example.lv", existing.email]):
        data = profile_data(full_name="Anna Jauna", account_email=email, password="ļoti-drošs-2026",
                            name=f"Biedrība Tests {n}", company_number=make_company_number(f"500081239{n}"),
                            social_register_number=f"S0999{n}")
        with django_capture_on_commit_callbacks(execute=True):
            response = client_for(None).post("/sniedzeja-registracija/", data)
        assert response.status_code == 200, response.context["form"].errors
        pages.append(response.content.decode().replace(email, "EMAIL").replace("&#x27;", "'"))
    assert _strip_csrf(pages[0]) == _strip_csrf(pages[1])
    assert not Provider.objects.filter(name="Biedrība Tests 1").exists()
    assert [m.to[0] for m in mail.outbox] == ["jauna.adrese@example.lv", existing.email]
    assert "already has an account" in mail.outbox[1].body or "jau ir konts" in mail.outbox[1].body


def _strip_csrf(body: str) -> str:
    import re

    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", body)


def test_sign_up_with_a_bad_iban_shows_the_error(client_for):
    data = profile_data(full_name="Anna", account_email="anna@jaunais.lv", password="ļoti-drošs-2026",
                        iban="LV00HABA0551234567890")
    count = Provider.objects.count()
    response = client_for(None).post("/sniedzeja-registracija/", data)
    assert response.status_code == 400 and "IBAN" in response.content.decode()
    assert Provider.objects.count() == count


def test_sign_up_page_is_not_on_a_municipality_site(client_for):
    assert client_for(MUNICIPALITY_A).get("/sniedzeja-registracija/").status_code == 404


# ---- platform verification ------------------------------------------------------------------------------

def test_platform_admin_verifies_from_the_page(client_for, platform_admin, django_assert_max_num_queries):
    client = client_for(None, user=platform_admin)
    with django_assert_max_num_queries(10):
        assert client.get("/sniedzeju-parbaude/").status_code == 200
    pending = Provider.objects.filter(status="pending").first()
    assert client.post(f"/sniedzeju-parbaude/{pending.pk}/statuss/", {"status": "verified"}).status_code == 302
    pending.refresh_from_db()
    assert pending.is_verified


def test_verification_is_for_the_platform_admin_only(client_for, staff_user):
    pending = Provider.objects.filter(status="pending").first()
    client = client_for(None, user=staff_user)
    assert client.get("/sniedzeju-parbaude/").status_code == 403
    assert client.post(f"/sniedzeju-parbaude/{pending.pk}/statuss/", {"status": "verified"}).status_code == 403
    pending.refresh_from_db()
    assert pending.status == "pending"


# ---- municipality approvals and caps ---------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/apstiprinasana/", "/apstiprinasana/?status=pending", "/cenu-griesti/"])
def test_municipality_admin_pages(client_for, path, django_assert_max_num_queries):
    client = client_for(MUNICIPALITY_A, user=demo_user(Role.MUNICIPALITY_ADMIN, MUNICIPALITY_A))
    with django_assert_max_num_queries(12):
        assert client.get(path).status_code == 200


def test_approval_page_of_a_provider(client_for, provider, new_service, django_assert_max_num_queries):
    client = client_for(MUNICIPALITY_A, user=demo_user(Role.MUNICIPALITY_ADMIN, MUNICIPALITY_A))
    with django_assert_max_num_queries(14):
        response = client.get(f"/apstiprinasana/{provider.pk}/")
    assert response.status_code == 200
    assert "10,00\xa0EUR" in response.content.decode()  # over the cap, stated


def test_admin_pages_refuse_other_roles_and_other_municipalities_admins(client_for, provider):
    other_admin = demo_user(Role.MUNICIPALITY_ADMIN, MUNICIPALITY_B)
    worker = demo_user(Role.SOCIAL_WORKER, MUNICIPALITY_A)
    for user in (other_admin, worker):
        client = client_for(MUNICIPALITY_A, user=user)
        assert client.get("/apstiprinasana/").status_code == 403
        assert client.post("/cenu-griesti/", {"service_type": 1, "unit": "hour", "amount": "1.00",
                                              "over_cap_rule": "copay"}).status_code == 403


def test_admin_sets_a_cap_from_the_page_only_in_their_municipality(client_for, muni_a, muni_b):
    client = client_for(MUNICIPALITY_A, user=demo_user(Role.MUNICIPALITY_ADMIN, MUNICIPALITY_A))
    from portal.marketplace.catalogue.models import ServiceType

    home_care = ServiceType.objects.get(code="home-care")
    with tenant_context(muni_b):
        b_before = PriceCap.objects.get(service_type=home_care, unit="hour").amount
    response = client.post("/cenu-griesti/", {"service_type": home_care.pk, "unit": "hour", "amount": "14.25",
                                              "over_cap_rule": "refuse"})
    assert response.status_code == 302
    with tenant_context(muni_a):
        assert PriceCap.objects.get(service_type=home_care, unit="hour").amount == Decimal("14.25")
    with tenant_context(muni_b):
        assert PriceCap.objects.get(service_type=home_care, unit="hour").amount == b_before


def test_bad_cap_from_the_page_shows_an_error(client_for, muni_a):
    client = client_for(MUNICIPALITY_A, user=demo_user(Role.MUNICIPALITY_ADMIN, MUNICIPALITY_A))
    with tenant_context(muni_a):
        before = list(PriceCap.objects.values_list("pk", "amount"))
    response = client.post("/cenu-griesti/", {"service_type": "", "unit": "hour", "amount": "-1",
                                              "over_cap_rule": "copay"})
    assert response.status_code == 400 and "govuk-error-summary" in response.content.decode()
    with tenant_context(muni_a):
        assert list(PriceCap.objects.values_list("pk", "amount")) == before


def test_admin_approves_a_service_from_the_page(client_for, provider, new_service, muni_b):
    from portal.marketplace.approvals.selectors import approved_services

    client = client_for(MUNICIPALITY_B, user=demo_user(Role.MUNICIPALITY_ADMIN, MUNICIPALITY_B))
    response = client.post(f"/apstiprinasana/pakalpojumi/{new_service.pk}/", {"status": "approved"})
    assert response.status_code == 302
    with tenant_context(muni_b):
        assert approved_services().filter(pk=new_service.pk).exists()


def test_approval_page_of_a_provider_not_serving_here_is_not_found(client_for):
    elsewhere = Provider.objects.exclude(municipalities_served__contains=[MUNICIPALITY_A]).first()
    client = client_for(MUNICIPALITY_A, user=demo_user(Role.MUNICIPALITY_ADMIN, MUNICIPALITY_A))
    assert client.get(f"/apstiprinasana/{elsewhere.pk}/").status_code == 404


@pytest.mark.parametrize("role, code, url", [
    (Role.PROVIDER_STAFF, None, "/mans-sniedzejs/"),
    (Role.PLATFORM_ADMIN, None, "/sniedzeju-parbaude/"),
    (Role.MUNICIPALITY_ADMIN, MUNICIPALITY_A, "/apstiprinasana/"),
    (Role.MUNICIPALITY_ADMIN, MUNICIPALITY_A, "/cenu-griesti/"),
])
def test_dashboards_link_to_the_catalogue_pages(client_for, role, code, url):
    user = demo_user(role, code) if code else demo_user(role)
    assert f'href="{url}"' in client_for(code, user=user).get("/panelis/").content.decode()


def _capacity_post(services, **overrides):
    data = {}
    for s in services:
        data[f"{s.pk}-unit_price"] = str(s.unit_price)
        data[f"{s.pk}-free_places"] = "" if s.free_places is None else str(s.free_places)
        data[f"{s.pk}-waiting_weeks"] = "" if s.waiting_weeks is None else str(s.waiting_weeks)
    data.update(overrides)
    return data


def test_prices_and_free_places_on_one_page(client_for, provider, staff_user, django_assert_max_num_queries):
    client = client_for(None, user=staff_user)
    url = f"/mans-sniedzejs/{provider.slug}/cenas-un-vietas/"
    with django_assert_max_num_queries(10):
        assert client.get(url).status_code == 200
    services = list(provider.services.order_by("pk"))
    first, second = services[0], services[1]
    response = client.post(url, _capacity_post(services, **{f"{first.pk}-free_places": "7",
                                                             f"{second.pk}-unit_price": "33.30"}))
    assert response.status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.free_places == 7 and second.unit_price == Decimal("33.30")
    kinds = set(CatalogueChange.objects.filter(service__in=[first, second]).order_by("-id")[:2]
                .values_list("kind", flat=True))
    assert kinds == {"capacity_changed", "price_changed"}


def test_one_bad_row_saves_nothing(client_for, provider, staff_user):
    client = client_for(None, user=staff_user)
    services = list(provider.services.order_by("pk"))
    first, second = services[0], services[1]
    changes = CatalogueChange.objects.count()
    response = client.post(f"/mans-sniedzejs/{provider.slug}/cenas-un-vietas/", _capacity_post(
        services, **{f"{first.pk}-free_places": "9", f"{second.pk}-unit_price": "-1"}))
    assert response.status_code == 400 and "govuk-error-summary" in response.content.decode()
    first.refresh_from_db()
    assert first.free_places != 9 and CatalogueChange.objects.count() == changes


def test_capacity_page_of_another_provider_is_not_found(client_for, staff_user):
    other = Provider.objects.exclude(staff__user=staff_user).first()
    assert client_for(None, user=staff_user).get(f"/mans-sniedzejs/{other.slug}/cenas-un-vietas/").status_code == 404


def test_platform_admin_sees_an_unverified_providers_page_to_check_it(client_for, platform_admin):
    pending = Provider.objects.filter(status="pending").first()
    response = client_for(None, user=platform_admin).get(f"/sniedzeji/{pending.slug}/")
    assert response.status_code == 200
    assert "vēl nav pārbaudīts" in response.content.decode()


def test_staff_languages_are_named_in_words(client_for, provider, new_service):
    for path in (f"/pakalpojumi/{new_service.pk}/", f"/sniedzeji/{provider.slug}/"):
        text = client_for(MUNICIPALITY_A).get(path).content.decode()
        assert "latviešu, krievu" in text and "('lv'" not in text
