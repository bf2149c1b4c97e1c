"""Sign-in pages around Django's views: password-reset requests are limited (see accounts.throttling)."""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _

from portal.frontend.forms import TwoFactorCodeForm
from portal.platform.accounts.throttling import client_address, reset_request_allowed
from portal.tenants import two_factor


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
    return render(request, "registration/two_factor_verify.html", {"form": form, "next": _next_url(request)},
                  status=status)


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
        "otpauth_uri": device.config_url, "required": two_factor.pending(request) == two_factor.ENROL,
        "has_app": two_factor.has_app(request.user),
    }, status=status)


def redirect_to_verify(request):
    response = redirect("accounts:two-factor")
    response["Location"] += "?" + urlencode({"next": _next_url(request)})
    return response


@login_required
def keep_alive(request):
    """The idle notice's "stay signed in": any request counts as activity (StaffIdleTimeoutMiddleware)."""
    return HttpResponse(status=204)
