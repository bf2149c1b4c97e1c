"""One conversation per agreement: its messages and how far each participant has read."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.platform.core.reads import personal_data
from portal.platform.core.retention import ACCOUNTING_YEARS, REMOVED, ended_before, free_text


class Message(models.Model):
    agreement = models.ForeignKey("agreements.Agreement", on_delete=models.CASCADE, related_name="messages",
                                  verbose_name=_("agreement"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+",
                               verbose_name=_("author"))
    author_capacity = models.CharField(_("as"), max_length=30, blank=True)
    body = models.TextField(_("message"))
    created_at = models.DateTimeField(_("sent"), default=timezone.now)
    reported_at = models.DateTimeField(_("reported"), null=True, blank=True)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("reported by"))
    report_reason = models.CharField(_("reason for the report"), max_length=500, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        indexes = [models.Index(fields=["agreement", "created_at"], name="message_thread_idx")]


class Attachment(models.Model):
    """A file sent with a message: checked as every upload (``platform.core.uploads``) and kept in the
    municipality's own schema, beside the message."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments",
                                verbose_name=_("message"))
    file_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=40)
    size = models.PositiveIntegerField(_("size (bytes)"))
    content = models.BinaryField(_("content"))

    class Meta:
        ordering = ["message_id", "id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        constraints = [
            models.CheckConstraint(condition=Q(size__gt=0, size__lte=10 * 1024 * 1024),
                                   name="threads_attachment_size_range"),
            models.CheckConstraint(condition=Q(content_type__in=["application/pdf", "image/jpeg", "image/png"]),
                                   name="threads_attachment_type"),
        ]


class ThreadRead(models.Model):
    """Up to when ``user`` has read the agreement's conversation."""

    agreement = models.ForeignKey("agreements.Agreement", on_delete=models.CASCADE, related_name="+",
                                  verbose_name=_("agreement"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+",
                             verbose_name=_("user"))
    read_at = models.DateTimeField(_("read up to"), default=timezone.now)

    class Meta:
        verbose_name = _("message read state")
        verbose_name_plural = _("message read states")
        constraints = [models.UniqueConstraint(fields=["agreement", "user"], name="thread_read_unique")]


personal_data(Message, via="agreement")  # a conversation about a person's agreement: reading it is audited
personal_data(Attachment, via="message")
# Messages follow their agreement's term (its end + 5 years); then the words go, the thread's shape stays.
free_text(Message, fields={"body": REMOVED, "report_reason": ""},
          expired=ended_before("agreement__period_end", ACCOUNTING_YEARS))
