"""Latvian by default, English on request; every catalogue entry translated."""

from pathlib import Path

import polib
import pytest

from tests.conftest import MUNICIPALITY_A

pytestmark = pytest.mark.django_db
LOCALE = Path(__file__).resolve().parents[2] / "portal" / "locale"


def test_pages_are_latvian_by_default(client_for):
    body = client_for(MUNICIPALITY_A).get("/konts/ieiet/").content.decode()
    assert '<html lang="lv"' in body
    assert "Ieiet" in body  # "Sign in"


def test_the_language_switch_turns_the_site_english_and_returns_to_the_page(client_for):
    client = client_for(MUNICIPALITY_A)
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/konts/ieiet/"})
    assert response.status_code == 302 and response["Location"] == "/konts/ieiet/"
    body = client.get("/konts/ieiet/").content.decode()
    assert '<html lang="en"' in body and "Sign in" in body


def test_the_latvian_catalogue_translates_every_message():
    catalogue = polib.pofile(str(LOCALE / "lv" / "LC_MESSAGES" / "django.po"))
    untranslated = [e.msgid for e in catalogue.untranslated_entries()]
    fuzzy = [e.msgid for e in catalogue.fuzzy_entries()]
    assert untranslated == [] and fuzzy == []
    assert len(catalogue.translated_entries()) > 100


def test_the_catalogue_covers_every_string_in_the_templates():
    """A string added to a template without running makemessages would show in English."""
    import re

    catalogue = {e.msgid for e in polib.pofile(str(LOCALE / "lv" / "LC_MESSAGES" / "django.po"))}
    pattern = re.compile(r'{%\s*translate\s+"([^"]+)"')
    missing = set()
    for template in (Path(__file__).resolve().parents[2] / "portal").rglob("templates/**/*.html"):
        for msgid in pattern.findall(template.read_text()):
            if msgid not in catalogue:
                missing.add(f"{template.name}: {msgid}")
    assert not missing, sorted(missing)


def test_the_header_language_link_sets_english_and_keeps_the_query(client_for):
    client = client_for(MUNICIPALITY_A)
    response = client.get("/audits/?q=persona&lang=en")
    assert response.status_code == 302 and response["Location"] == "/audits/?q=persona"
    body = client.get("/konts/ieiet/").content.decode()
    assert '<html lang="en"' in body and 'href="?lang=lv"' in body


def test_the_browser_language_does_not_override_latvian(client_for):
    body = client_for(MUNICIPALITY_A).get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="lv"' in body


def test_a_signed_in_user_gets_their_preferred_language(client_for, user_of):
    from portal.tenants.roles import Role

    user = user_of(Role.SOCIAL_WORKER)
    user.preferred_language = "en"
    user.save(update_fields=["preferred_language"])
    body = client_for(MUNICIPALITY_A, user=user).get("/panelis/").content.decode()
    assert '<html lang="en"' in body
