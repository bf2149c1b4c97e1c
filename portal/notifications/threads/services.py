"""Messages on an agreement: post, read, report. Who may take part is who may see the agreement
(``agreements.access``: the person, their legal representative, a support person the person allowed to see
agreements, the provider's staff once the request was sent to them, and the municipality's staff)."""

from __future__ import annotations

from django.db import connection, transaction
from django.db.models import Prefetch, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.budgets.people.models import Relation
from portal.marketplace.catalogue.models import ProviderStaff
from portal.platform.core.errors import NotFound, ValidationFailed
from portal.platform.core.models import AuditEvent, audit
from portal.platform.core.uploads import upload_check
from portal.tenants.models import Membership
from portal.tenants.roles import Role

from ..models import Kind
from ..services import notify
from .models import Attachment, Message, ThreadRead

MAX_LENGTH = 4000


class MessageInvalid(ValidationFailed):
    code = "message.invalid"


class AttachmentRejected(ValidationFailed):
    code = "message.attachment_rejected"


def messages_of(agreement) -> QuerySet[Message]:
    files = Attachment.objects.defer("content")
    return (Message.objects.filter(agreement=agreement).select_related("author")
            .prefetch_related(Prefetch("attachments", queryset=files)))


def unread_in(agreement, user) -> int:
    read = ThreadRead.objects.filter(agreement=agreement, user=user).values_list("read_at", flat=True).first()
    messages = Message.objects.filter(agreement=agreement).exclude(author=user)
    return (messages.filter(created_at__gt=read) if read else messages).count()


def thread_mark_read(*, agreement, user) -> None:
    ThreadRead.objects.update_or_create(agreement=agreement, user=user, defaults={"read_at": timezone.now()})


def thread_links(agreement, municipality_code: str) -> tuple[str, str]:
    """The conversation's address on the municipality's site and on the national site (for the provider)."""
    return (reverse("notifications:thread", kwargs={"agreement_id": agreement.pk},
                    urlconf="portal.platform.urls_tenant"),
            reverse("notifications:provider-thread", kwargs={"code": municipality_code, "agreement_id": agreement.pk},
                    urlconf="portal.platform.urls_public"))


def _family_and_staff(agreement) -> list[int]:
    person = agreement.person
    today = timezone.localdate()
    relations = Relation.objects.filter(person=person, valid_from__lte=today).exclude(valid_until__lt=today)
    family = [r.user_id for r in relations if r.kind == Relation.Kind.LEGAL_REPRESENTATIVE
              or "agreements" in (r.may_see or [])]
    return [person.user_id, person.social_worker_id, *family]


def message_post(*, agreement, actor, body: str, capacity: str = "", link: str = "",
                 provider_link: str = "", attachment: tuple[str, bytes] | None = None) -> Message:
    """``actor`` (already checked to see ``agreement``) writes to its conversation; the others are notified.

    ``attachment``: ``(file name, content)``, checked as every upload (``platform.core.uploads``) before
    anything is written; a message with a file may have no text."""
    body = (body or "").strip()
    upload = None
    if attachment is not None:
        file_name, content = attachment
        upload = upload_check(file_name=file_name, content=content, error=AttachmentRejected, field="attachment",
                              default_name="attachment")
    if not body and upload is None:
        raise MessageInvalid(_("Write a message."), field="body")
    if len(body) > MAX_LENGTH:
        raise MessageInvalid(_("A message can be at most %(n)s characters.") % {"n": MAX_LENGTH}, field="body")
    with transaction.atomic():
        message = Message.objects.create(agreement=agreement, author=actor, author_capacity=capacity, body=body)
        if upload is not None:
            Attachment.objects.create(message=message, file_name=upload.file_name,
                                      content_type=upload.content_type, size=upload.size, content=upload.content)
        params = {"agreement": agreement.pk, "service": agreement.service.title_lv,
                  "municipality": connection.tenant.name}
        notify(recipients=[u for u in _family_and_staff(agreement) if u != actor.pk],
               kind=Kind.MESSAGE_RECEIVED, params=params, link=link)
        if agreement.sent_at:
            staff = ProviderStaff.objects.filter(provider_id=agreement.provider_id).values_list("user_id", flat=True)
            notify(recipients=[u for u in staff if u != actor.pk], kind=Kind.MESSAGE_RECEIVED, params=params,
                   link=provider_link, national=True)
    return message


def attachment_of(agreement, attachment_id) -> Attachment:
    """An attachment of this agreement's conversation (the caller checked the reader may see it)."""
    attachment = Attachment.objects.filter(pk=attachment_id, message__agreement=agreement).first()
    if attachment is None:
        raise NotFound(_("No such attachment."), code="message.attachment_not_found")
    return attachment


def message_report(*, agreement, message_id, actor, reason: str = "", link: str = "") -> Message:
    """Report a message of this conversation to the municipality (its administrators are notified)."""
    with transaction.atomic():
        message = Message.objects.select_for_update().filter(agreement=agreement, pk=message_id).first()
        if message is None:
            raise NotFound(_("No such message."), code="message.not_found")
        if message.reported_at is None:
            message.reported_at, message.reported_by = timezone.now(), actor
            message.report_reason = (reason or "").strip()[:500]
            message.save(update_fields=["reported_at", "reported_by", "report_reason"])
            audit(actor=actor, action=AuditEvent.Action.UPDATE, obj=message, message="message.reported")
            admins = Membership.objects.filter(municipality=connection.tenant, role=Role.MUNICIPALITY_ADMIN)
            notify(recipients=admins.values_list("user_id", flat=True), kind=Kind.MESSAGE_REPORTED,
                   params={"agreement": agreement.pk, "service": agreement.service.title_lv}, link=link)
    return message


__all__ = ["MAX_LENGTH", "AttachmentRejected", "MessageInvalid", "attachment_of", "message_post", "message_report",
           "messages_of", "thread_links", "thread_mark_read", "unread_in"]
