"""The provider's session form shows the one GOV.UK error summary at the top of the page, linked to the field."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from portal.marketplace.invoicing.models import Session
from tests.conftest import MUNICIPALITY_A

from .conftest import today

pytestmark = pytest.mark.django_db


def test_the_session_form_error_summary_is_at_the_top_and_links_to_the_field(world, agreement, client_for):
    connection.set_schema_to_public()
    client = client_for(None, user=world.staff)
    bad = client.post(f"/sniedzejs/{MUNICIPALITY_A}/vienosanas/{agreement.pk}/",
                      {"s-date": (today() + dt.timedelta(days=2)).isoformat(), "s-units": "1", "s-staff_name": "Anna"})
    html = bad.content.decode()
    assert html.count('class="govuk-error-summary"') == 1
    summary = html.index('class="govuk-error-summary"')
    assert summary < html.index("<h1") < html.index('id="record"')  # before the heading, not beside the form
    assert 'href="#id_s-date"' in html[summary:html.index("<h1")]
    assert "<title>Kļūda:" in html or "<title>\nKļūda:" in html or "Kļūda:" in html[:html.index("</title>")]
    connection.set_tenant(world.municipality)
    assert not Session.objects.filter(agreement=agreement).exists()
