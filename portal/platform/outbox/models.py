"""The transactional outbox: one table in every municipality's schema (a tenant app)."""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OutboxEvent(models.Model):
    """Work to do after a change commits, written in the change's own transaction."""

    kind = models.CharField(_("kind"), max_length=100)
    payload = models.JSONField(_("payload"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    # Last time it was handed to the broker (None: not yet, e.g. the broker was down at commit).
    dispatched_at = models.DateTimeField(_("sent to the worker"), null=True, blank=True)
    processed_at = models.DateTimeField(_("processed"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("outbox event")
        verbose_name_plural = _("outbox events")
        # The sweep reads only the pending rows.
        indexes = [models.Index(fields=["created_at"], name="outbox_pending_idx",
                                condition=Q(processed_at__isnull=True))]

    def __str__(self):
        return f"{self.kind} #{self.pk}"
