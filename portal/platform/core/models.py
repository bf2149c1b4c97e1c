"""The audit log. The app is in both the shared and tenant apps, so every
schema keeps its own log: a municipality's access to personal data is written
into that municipality's schema, platform actions into the public schema."""


from django.db import models
from django.utils.translation import gettext_lazy as _

from . import audit_messages


class AuditEvent(models.Model):
    class Action(models.TextChoices):
        VIEW = "view", _("viewed")
        CREATE = "create", _("created")
        UPDATE = "update", _("changed")
        DELETE = "delete", _("deleted")
        LOGIN = "login", _("signed in")
        LOGOUT = "logout", _("signed out")
        LOGIN_FAILED = "login_failed", _("failed sign-in")

    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    # No FK: the user table is in the public schema and must outlive audit rows.
    actor_id = models.BigIntegerField(_("who (user id)"), null=True, blank=True, db_index=True)
    actor_label = models.CharField(_("who"), max_length=254, blank=True)
    action = models.CharField(_("what"), max_length=20, choices=Action.choices)
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    # What happened, as a code of audit_messages.MESSAGES and its parameters: translated when read (ADR 0018).
    # "" on a row written before the codes whose summary matched no known pattern: the page shows its summary.
    message = models.CharField(_("message"), max_length=60, blank=True)
    params = models.JSONField(_("message parameters"), default=dict, blank=True)
    changes = models.JSONField(_("old and new values"), default=dict, blank=True)
    ip_address = models.GenericIPAddressField(_("from where"), null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_type} {self.object_id}"


def client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") if request is not None else None


def audit(*, actor, action: str, obj=None, object_type: str = "", object_id="", message: str = "",
          params: dict | None = None, summary: str = "", changes: dict | None = None, request=None) -> AuditEvent:
    """Write one audit row into the current schema: what happened is ``message`` (a code registered in
    ``audit_messages.MESSAGES``) with its ``params`` (JSON: amounts as Decimal strings, dates as ISO strings),
    translated when the row is read; ``summary`` defaults to its plain English rendering."""
    params = params or {}
    if message and not summary:
        summary = audit_messages.english(message, params)
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    is_user = getattr(actor, "is_authenticated", False)
    return AuditEvent.objects.create(
        actor_id=actor.pk if is_user else None,
        actor_label=(actor.email if is_user else "") [:254],
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        summary=summary[:300],
        message=message,
        params=params,
        changes=changes or {},
        ip_address=client_ip(request),
    )



