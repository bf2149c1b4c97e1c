"""Message attachments: the same upload check as every other upload (platform.core.uploads), kept in the
municipality's schema, served only to the conversation's participants as a download (audited), refused with
a stable code and nothing written when the file is bad — on the page and through the API."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from portal.notifications.threads.models import Attachment, Message
from portal.platform.core.models import AuditEvent
from portal.platform.core.uploads import MAX_SIZE, safe_file_name
from portal.tenants.roles import Role
from tests.conftest import demo_user
from tests.factories import make_provider, own_staff_user

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
PDF = b"%PDF-1.7\n" + b"x" * 32


def _file(content=PNG, name="foto.png", content_type="image/png"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def _last_audit():
    return AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def test_the_page_attaches_a_file_and_the_provider_downloads_it_audited(world, agreement, client_for,
                                                                         django_assert_max_num_queries):
    here = f"/vienosanas/{agreement.pk}/zinas/"
    person = client_for(user=world.person_user)
    sent = person.post(here, {"body": "", "attachment": _file(name='../../"rēķins".png')})
    assert sent.status_code == 302
    connection.set_tenant(world.municipality)
    [attachment] = Attachment.objects.filter(message__agreement=agreement)
    assert (attachment.content_type, attachment.size, bytes(attachment.content)) == ("image/png", len(PNG), PNG)
    assert attachment.file_name == "rēķins_.png"

    page = person.get(here).content.decode()
    assert f'data-attachment="{attachment.pk}"' in page
    provider = client_for(None, user=world.staff)
    there = f"/sniedzejs/{world.municipality.code}/vienosanas/{agreement.pk}/zinas/pielikumi/{attachment.pk}/"
    connection.set_tenant(world.municipality)
    last = _last_audit()
    # the agreement through the provider checkpoint, the attachment; then the read-audit row (its person
    # resolved through message and agreement, the municipality and provider named, the row written)
    with django_assert_max_num_queries(19):
        download = provider.get(there)
    assert download.status_code == 200 and download.content == PNG
    assert download["Content-Type"] == "image/png"
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["X-Content-Type-Options"] == "nosniff"
    connection.set_tenant(world.municipality)
    assert AuditEvent.objects.filter(pk__gt=last, action="view", actor_id=world.staff.pk,
                                     changes__persons__contains=[world.adult.pk]).exists()


def test_a_bad_file_is_refused_next_to_the_field_and_nothing_is_written(world, agreement, client_for):
    here = f"/vienosanas/{agreement.pk}/zinas/"
    person = client_for(user=world.person_user)
    fake = _file(b"MZ\x90\x00 not really a picture", name="foto.png")  # the name and the browser lie
    page = person.post(here, {"body": "Skat. pielikumā", "attachment": fake})
    assert page.status_code == 400
    html = page.content.decode()
    assert 'id="id_attachment-error"' in html and "govuk-file-upload--error" in html
    connection.set_tenant(world.municipality)
    assert not Message.objects.filter(agreement=agreement).exists()
    assert not Attachment.objects.exists()


def test_the_api_posts_with_a_file_and_refuses_a_bad_one_with_a_stable_code(world, agreement, client_for,
                                                                             django_assert_max_num_queries):
    api = f"/api/v1/agreements/{agreement.pk}/messages/"
    person = client_for(user=world.person_user)
    too_big = person.post(api, {"body": "liels", "attachment": _file(PDF + b"0" * MAX_SIZE, name="a.pdf")})
    assert too_big.status_code == 400
    assert too_big.json()["code"] == "message.attachment_rejected" and too_big.json()["field"] == "attachment"
    empty = person.post(api, {"body": "tukšs", "attachment": _file(b"", name="a.pdf")})
    assert empty.status_code == 400
    connection.set_tenant(world.municipality)
    assert not Message.objects.filter(agreement=agreement).exists() and not Attachment.objects.exists()

    created = person.post(api, {"body": "Rēķina kopija", "attachment": _file(PDF, name="kopija.pdf")})
    assert created.status_code == 201, created.content
    [item] = created.json()["attachments"]
    assert item["content_type"] == "application/pdf" and item["file_name"] == "kopija.pdf"
    worker = client_for(user=world.social_worker)
    # the agreement through its checkpoint, the read state, the messages and their attachments (no content);
    # then the read-audit row
    with django_assert_max_num_queries(17):
        listed = worker.get(api).json()["results"]
    assert listed[0]["attachments"][0]["id"] == item["id"]
    download = client_for(user=world.social_worker).get(f"{api}attachments/{item['id']}/")
    assert download.status_code == 200 and download.content == PDF
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Disposition"].startswith("attachment;")


def test_outsiders_and_the_other_municipality_cannot_download(world, agreement, client_for):
    person = client_for(user=world.person_user)
    person.post(f"/vienosanas/{agreement.pk}/zinas/", {"body": "", "attachment": _file()})
    connection.set_tenant(world.municipality)
    attachment = Attachment.objects.get()
    page = f"/vienosanas/{agreement.pk}/zinas/pielikumi/{attachment.pk}/"
    api = f"/api/v1/agreements/{agreement.pk}/messages/attachments/{attachment.pk}/"
    assert person.get(page).status_code == 200
    assert client_for(user=world.supporter).get(page).status_code == 200  # the person allowed "agreements"
    outsider = client_for(user=world.representative)  # the child's representative: not this conversation
    assert outsider.get(page).status_code == 404 and outsider.get(api).status_code == 404
    assert client_for(user=world.representative).post(f"/api/v1/agreements/{agreement.pk}/messages/",
                                                       {"body": "x"}).status_code == 404
    other = client_for("liepaja", user=demo_user(Role.SOCIAL_WORKER, "liepaja"))
    assert other.get(page).status_code == 404 and other.get(api).status_code == 404
    # another agreement's address with this attachment's id finds nothing
    assert person.get(f"/vienosanas/{agreement.pk + 1}/zinas/pielikumi/{attachment.pk}/").status_code == 404
    connection.set_tenant(world.municipality)
    assert Message.objects.filter(agreement=agreement).count() == 1


def test_one_check_for_every_upload_file_names():
    assert safe_file_name("C:\\Users\\x\\ziņa.pdf") == "ziņa.pdf"
    assert safe_file_name('a"b;c\r\n.pdf') == "a_b_c_.pdf"
    assert safe_file_name("...") == "document"


def test_the_provider_api_writes_with_a_file_and_downloads_it(world, agreement, client_for):
    api = f"/api/v1/provider/{world.municipality.code}/agreements/{agreement.pk}/messages/"
    provider = client_for(None, user=world.staff)
    bad = provider.post(api, {"body": "x", "attachment": _file(b"GIF89a....", name="a.png")})
    assert bad.status_code == 400 and bad.json()["code"] == "message.attachment_rejected"
    connection.set_tenant(world.municipality)
    assert not Message.objects.filter(agreement=agreement).exists()
    created = provider.post(api, {"body": "Atskaite", "attachment": _file(PDF, name="atskaite.pdf")})
    assert created.status_code == 201, created.content
    assert created.json()["author"] == world.provider.name
    [item] = created.json()["attachments"]
    download = provider.get(f"{api}attachments/{item['id']}/")
    assert download.status_code == 200 and download.content == PDF
    assert download["X-Content-Type-Options"] == "nosniff"
    assert provider.get(api).json()["results"][0]["id"] == created.json()["id"]
    # the person reads it on the municipality's site; the provider's address on a municipality's host is nothing
    listed = client_for(user=world.person_user).get(f"/api/v1/agreements/{agreement.pk}/messages/").json()
    assert listed["results"][0]["attachments"][0]["id"] == item["id"]
    assert client_for(user=world.staff).get(api).status_code in (403, 404)
    outsider = client_for(None, user=own_staff_user(make_provider()))  # staff of another provider
    assert outsider.get(api).status_code == 404
    assert outsider.get(f"{api}attachments/{item['id']}/").status_code == 404
