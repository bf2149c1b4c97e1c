"""Sign-in across the platform's hosts (ADR 0008): a one-time pass from the host the person is signed in on
to the host a link leads to. Kept apart from the sign-in view itself."""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect, resolve_url
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme

from portal.platform.core.errors import DomainError
from portal.tenants.handoff import handoff_issue, handoff_redeem


def _private(response):
    """The pass must not travel further: no Referer from the page that carries it, no cached copy."""
    response["Referrer-Policy"] = "no-referrer"
    add_never_cache_headers(response)
    return response


def _same_origin_as(request, parts) -> bool:
    """Same scheme and port as this request: one deployment, never a pass for some other server."""
    default = 443 if parts.scheme == "https" else 80
    here = int(request.get_port() or (443 if request.is_secure() else 80))
    return parts.scheme == request.scheme and (parts.port or default) == here


@login_required
def handoff_start(request):
    """``?next=<absolute URL on another of the platform's hosts>`` → that host, signed in as the same account."""
    target = request.GET.get("next", "")
    try:
        parts = urlsplit(target)
        parts.port  # noqa: B018 (a malformed port raises here)
    except ValueError:
        return redirect(settings.LOGIN_REDIRECT_URL)
    if not parts.hostname or not _same_origin_as(request, parts):
        return redirect(settings.LOGIN_REDIRECT_URL)
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    if parts.netloc.lower() == request.get_host().lower():
        return redirect(path)
    try:
        token = handoff_issue(user=request.user, host=parts.hostname)
    except DomainError:
        return redirect(settings.LOGIN_REDIRECT_URL)
    finish = reverse("accounts:handoff-finish")
    return _private(redirect(f"{parts.scheme}://{parts.netloc}{finish}?{urlencode({'token': token, 'next': path})}"))


def handoff_finish(request):
    """Redeem the pass on this host: sign its account in (unless someone else is signed in here) and go on."""
    wanted = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(wanted, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        wanted = resolve_url(settings.LOGIN_REDIRECT_URL)
    user = handoff_redeem(token=request.GET.get("token", ""), host=request.get_host().split(":")[0])
    if user is None:
        if request.user.is_authenticated:
            return _private(redirect(wanted))
        return _private(redirect_to_login(wanted))
    if not request.user.is_authenticated:
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    # Someone else already signed in on this host keeps their session: a pass never switches accounts.
    return _private(redirect(wanted))
