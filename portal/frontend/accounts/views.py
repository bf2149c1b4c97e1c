"""Sign-in pages around Django's views: password-reset requests are limited (see accounts.throttling), the
second step (two-factor), and sign-in across the platform's hosts (ADR 0009): a one-time pass from the host
the person is signed in on to the host a link leads to."""

from __future__ import annotations

from urllib.parse import urlsplit

import segno
from django.conf import settings
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from portal.frontend.forms import RecoveryCodesRenewForm, TwoFactorCodeForm, apply_domain_error
from portal.platform.accounts.throttling import client_address, reset_request_allowed
from portal.platform.core.errors import DomainError
from portal.tenants import security_keys, two_factor
from portal.tenants.handoff import SIGN_IN, handoff_issue, handoff_redeem


class LimitedPasswordResetView(auth_views.PasswordResetView):
    """Django's reset request, counted per address and per e-mail address.

    Over the account's limit the page answers as usual without sending (nothing is revealed about the
    account); over the address's limit the visitor is told to wait.
    """

    def form_valid(self, form):
        by_address, by_account = reset_request_allowed(address=client_address(self.request),
                                                       email=form.cleaned_data["email"])
        if not by_address:
            return render(self.request, "registration/too_many_requests.html", status=429)
        if not by_account:
            return super(auth_views.PasswordResetView, self).form_valid(form)  # the "sent" page, no e-mail
        return super().form_valid(form)


def locked_out(request, original_response=None, credentials=None):
    """django-axes' answer to a sign-in while the account or the address is locked out (429)."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60) if settings.AXES_COOLOFF_TIME else None
    return render(request, "registration/locked_out.html",
                  {"failure_limit": settings.AXES_FAILURE_LIMIT, "cooloff_minutes": minutes}, status=429)


# ---- two-factor sign-in ------------------------------------------------------------------------------------

def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return resolve_url(settings.LOGIN_REDIRECT_URL)


@login_required
def two_factor_verify(request):
    """The second step after the password: a code from the app or a recovery code."""
    if two_factor.pending(request) != two_factor.VERIFY:
        return redirect(_next_url(request))
    form = TwoFactorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if two_factor.verify(request=request, code=form.cleaned_data["code"]):
            return redirect(_next_url(request))
        form.add_error("code", _("The code is not right. Enter the code your app shows now (it changes every "
                                 "30 seconds), or a recovery code."))
    status = 400 if form.errors else 200
    return render(request, "registration/two_factor_verify.html", {
        "form": form, "next": _next_url(request), "key_here": security_keys.usable_here(request)}, status=status)


@login_required
def two_factor_setup(request):
    """Set up an authenticator app (required for staff, offered to everyone); then show recovery codes once."""
    if two_factor.pending(request) == two_factor.VERIFY:
        return redirect_to_verify(request)
    device = two_factor.enrolment_device(request.user)
    form = TwoFactorCodeForm(request.POST or None, recovery=False)
    if request.method == "POST" and form.is_valid():
        codes = two_factor.enrolment_confirm(request=request, device=device, code=form.cleaned_data["code"])
        if codes is not None:
            return render(request, "registration/two_factor_codes.html", {"codes": codes, "next": _next_url(request)})
        form.add_error("code", _("The code is not right. Check that the app shows the SBS portal and enter the "
                                 "code it shows now."))
    status = 400 if form.errors else 200
    return render(request, "registration/two_factor_setup.html", {
        "form": form, "next": _next_url(request), "secret": two_factor.secret_text(device),
        "otpauth_uri": device.config_url, "qr": mark_safe(qr_svg(device.config_url)),  # noqa: S308 (segno's SVG)
        "required": two_factor.pending(request) == two_factor.ENROL,
        "has_app": two_factor.has_app(request.user),
    }, status=status)


@login_required
def recovery_codes_renew(request):
    """New recovery codes (the old ones stop working) after the password and an app code; shown once."""
    if two_factor.pending(request) == two_factor.VERIFY:
        return redirect_to_verify(request)
    if not two_factor.has_app(request.user):
        return redirect("accounts:two-factor-setup")
    form = RecoveryCodesRenewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = two_factor.recovery_codes_renew(request=request, password=form.cleaned_data["password"],
                                                    code=form.cleaned_data["code"])
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            return render(request, "registration/two_factor_codes.html",
                          {"codes": codes, "renewed": True, "next": resolve_url(settings.LOGIN_REDIRECT_URL)})
    if getattr(request, "axes_locked_out", False):
        return locked_out(request)
    status = 400 if form.errors else 200
    return render(request, "registration/recovery_codes_renew.html", {"form": form}, status=status)


def qr_svg(text: str) -> str:
    """A QR code of ``text`` as inline SVG markup (segno): attributes only — no style or script, which the
    Content-Security-Policy forbids — and a title for assistive technology; the page also gives the text."""
    svg = segno.make(text, error="m").svg_inline(scale=5, border=4, dark="#0b0c0c", light="#ffffff",
                                                 svgclass="portal-qr", lineclass=None,
                                                 title=_("QR code for your authenticator app"))
    return svg.replace("<svg ", '<svg role="img" focusable="false" ', 1)


def redirect_to_verify(request):
    response = redirect("accounts:two-factor")
    response["Location"] += "?" + urlencode({"next": _next_url(request)})
    return response


@login_required
def keep_alive(request):
    """The idle notice's "stay signed in": any request counts as activity (StaffIdleTimeoutMiddleware)."""
    return HttpResponse(status=204)


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
        token = handoff_issue(user=request.user, host=parts.hostname,
                              otp_device=request.session.get(two_factor.DEVICE_ID_SESSION_KEY, ""),
                              sign_in=request.session.get(SIGN_IN))
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
        # A second step done on the first host counts here too: the pass carries which device verified it.
        two_factor.carry_verification(request, user.handoff_otp_device)
    # Someone else already signed in on this host keeps their session: a pass never switches accounts.
    return _private(redirect(wanted))
