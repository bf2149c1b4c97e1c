"""One source of truth for where a service is given from: the service page, the search document (and so its
distance) and the demo's addresses agree."""

from __future__ import annotations

import pytest
from django_tenants.utils import schema_context

from portal.marketplace.catalogue.models import Location, Provider
from portal.marketplace.search.indexing import index_services
from portal.marketplace.search.models import SearchDocument
from tests.factories import make_provider, make_service

pytestmark = pytest.mark.django_db


def _located(provider):
    with schema_context("public"):
        return Location.objects.create(provider=provider, name="Birojs", address="Skolas iela 7, Jelgava",
                                       municipality_code="jelgava", latitude="56.65", longitude="23.72")


def test_an_online_service_has_no_address_in_search_or_on_its_page(client_for):
    provider = make_provider()
    online = make_service(provider, "psychologist", "30.00")
    with schema_context("public"):
        online.delivery_modes = ["online"]
        online.save()
        online.locations.add(_located(provider))  # a stale attachment must not place it anywhere
        index_services([online.pk])
        doc = SearchDocument.objects.get(service_id=online.pk)
    assert doc.place == "" and doc.latitude is None  # not the location, nor the registered address "Rīga"
    page = client_for(None).get(f"/pakalpojumi/{online.pk}/").content.decode()
    assert "Skolas iela 7" not in page


def test_a_service_at_the_provider_shows_the_same_address_everywhere(client_for):
    provider = make_provider()
    there = make_service(provider, "psychologist", "30.00")
    with schema_context("public"):
        there.delivery_modes = ["provider"]
        there.save()
        there.locations.add(_located(provider))
        index_services([there.pk])
        doc = SearchDocument.objects.get(service_id=there.pk)
    assert doc.place == "Skolas iela 7, Jelgava"
    assert "Skolas iela 7, Jelgava" in client_for(None).get(f"/pakalpojumi/{there.pk}/").content.decode()


def test_the_demo_place_in_a_provider_home_town_is_its_registered_address():
    with schema_context("public"):
        pairs = [(p.address, loc.address) for p in Provider.objects.prefetch_related("locations")
                 for loc in p.locations.all() if p.address.split(", ", 1)[-1] == loc.address.split(", ", 1)[-1]]
    assert pairs and all(registered == where for registered, where in pairs)
