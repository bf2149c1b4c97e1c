"""Security keys and passkeys (WebAuthn) on the account pages: the list with "Add a security key", removal
after the password, and the second step's "Use your security key". The ceremonies are JSON requests from
``static/portal/webauthn.js`` (no inline script: the Content-Security-Policy forbids it); the services are in
``portal/tenants/security_keys.py``; ADR 0019."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.frontend.forms import (
    SecurityKeyNameForm,
    SecurityKeyRemoveForm,
    apply_domain_error,
)
from portal.platform.core.errors import DomainError
from portal.tenants import security_keys, two_factor
from portal.tenants.models import SecurityKey

from .views import _next_url, locked_out


def _answer(call, *, status: int = 200) -> JsonResponse:
    """The service's result as JSON, or its refusal in the API's error shape with its status."""
    try:
        result = call()
    except DomainError as error:
        return JsonResponse(error.as_dict(), status=error.status)
    return JsonResponse(result, status=status)


def _body(request):
    try:
        return json.loads(request.body or b"null")
    except ValueError:
        return None


@login_required
def security_key_list(request):
    """The account's security keys: when each was added and last used, "Add a security key", remove."""
    if two_factor.pending(request):
        return redirect("accounts:two-factor")
    keys = security_keys.security_keys_for(request.user)
    return render(request, "registration/security_keys.html", {
        "keys": keys, "form": SecurityKeyNameForm(), "has_app": two_factor.has_app(request.user),
        "can_add": len(keys) < security_keys.KEYS_MAX,
    })


@login_required
@require_POST
def security_key_register_begin(request):
    if "application/json" not in request.headers.get("Accept", ""):  # the form sent without the script
        messages.error(request, _("Adding a security key needs JavaScript in your browser."))
        return redirect("accounts:security-keys")
    return _answer(lambda: security_keys.security_key_register_begin(request=request,
                                                                      name=request.POST.get("name", "")))


@login_required
@require_POST
def security_key_register_finish(request):
    def add():
        key = security_keys.security_key_register_finish(request=request, credential=_body(request))
        messages.success(request, _("The security key “%(name)s” was added.") % {"name": key.name})
        return {"id": key.pk, "name": key.name, "redirect": reverse("accounts:security-keys")}

    return _answer(add, status=201)


@login_required
def security_key_remove(request, pk: int):
    """Remove a key after the password is entered again."""
    if two_factor.pending(request):
        return redirect("accounts:two-factor")
    key = SecurityKey.objects.filter(user=request.user, pk=pk).first()
    if key is None:
        raise Http404
    form = SecurityKeyRemoveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            security_keys.security_key_remove(request=request, key_id=key.pk, password=form.cleaned_data["password"])
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, _("The security key “%(name)s” was removed.") % {"name": key.name})
            return redirect("accounts:security-keys")
    if getattr(request, "axes_locked_out", False):
        return locked_out(request)
    return render(request, "registration/security_key_remove.html", {"form": form, "key": key},
                  status=400 if form.errors else 200)


@login_required
@require_POST
def security_key_sign_in_begin(request):
    return _answer(lambda: security_keys.security_key_authenticate_begin(request=request))


@login_required
@require_POST
def security_key_sign_in_finish(request):
    def finish():
        security_keys.security_key_authenticate_finish(request=request, credential=_body(request))
        return {"redirect": _next_url(request)}

    return _answer(finish)
