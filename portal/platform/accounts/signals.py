"""Sign-ins and sign-outs go into the audit log of the schema they happen in."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from portal.platform.core.models import AuditEvent, audit


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    audit(actor=user, action=AuditEvent.Action.LOGIN, obj=user, message="account.signed_in", request=request)


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        audit(actor=user, action=AuditEvent.Action.LOGOUT, obj=user, message="account.signed_out", request=request)


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    who = str(credentials.get("username", ""))[:200]
    audit(actor=None, action=AuditEvent.Action.LOGIN_FAILED, object_type="accounts.user",
          message="account.sign_in_failed", params={"who": who}, request=request)
