"""Language: Latvian unless the person chose otherwise.

The browser's Accept-Language is deliberately ignored — a Latvian public
service speaks Latvian first; a person switches with the header links
(``?lang=en``), which sets a cookie, or by the language in their profile.
"""

import time

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from portal.tenants import handoff, two_factor

SUPPORTED = {code for code, _ in settings.LANGUAGES}


def switch_or_activate(request):
    """Handle ``?lang=xx`` (a redirect that sets the cookie) or activate the request's language.

    Returns the redirect, or None once the language is active.
    """
    chosen = request.GET.get("lang")
    if chosen in SUPPORTED and request.method in ("GET", "HEAD"):
        query = request.GET.copy()
        del query["lang"]
        response = HttpResponseRedirect(request.path + (f"?{query.urlencode()}" if query else ""))
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, chosen, max_age=365 * 24 * 3600,
                            samesite="Lax", secure=settings.SESSION_COOKIE_SECURE)
        return response
    language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    if language not in SUPPORTED:
        user = getattr(request, "user", None)
        preferred = getattr(user, "preferred_language", None) if user and user.is_authenticated else None
        language = preferred if preferred in SUPPORTED else settings.LANGUAGE_CODE
    translation.activate(language)
    request.LANGUAGE_CODE = language
    return None


class LanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        redirect = switch_or_activate(request)
        if redirect is not None:
            return redirect
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
        patch_vary_headers(response, ("Cookie",))
        return response


# Pages a signed-in user may reach before the second step: the sign-in pages themselves, files, language.
SECOND_STEP_OPEN = ("/konts/", "/static/", "/i18n/", "/healthz")


class TwoFactorMiddleware:
    """A signed-in user who still owes the second step (portal/tenants/two_factor.py) reaches only the
    sign-in pages: pages redirect to the code (or to setting up an app), the API answers 403
    ``two_factor_required``. The state is in the session: no query."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not request.path.startswith(SECOND_STEP_OPEN):
            owed = two_factor.pending(request)
            if owed is not None:
                return _second_step_response(request, owed)
        return self.get_response(request)


def _second_step_response(request, owed: str):
    if request.path.startswith("/api/"):
        return JsonResponse({"code": "two_factor_required",
                             "detail": _("Finish signing in with your authenticator code first.")}, status=403)
    target = "accounts:two-factor" if owed == "verify" else "accounts:two-factor-setup"
    response = redirect(target)
    response["Location"] += "?" + urlencode({"next": request.get_full_path()})
    return response


class StaffIdleTimeoutMiddleware:
    """A staff session (any staff or national role) ends after ``STAFF_IDLE_MINUTES`` without a request — on
    any of the hosts its sign-in reached (ADR 0009): the clock is the sign-in's, and the end is everywhere.

    The last request's time is kept in the session (written at most once a minute); the page shows a notice
    before the end (static/portal/idle.js) with a button that keeps the session alive (``/konts/aktivs/``).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        if session is not None and session.get(two_factor.STAFF_SESSION) and request.user.is_authenticated:
            now = int(time.time())
            last = session.get(two_factor.SEEN_AT, now)
            sign_in = session.get(handoff.SIGN_IN)
            if now - last > settings.STAFF_IDLE_MINUTES * 60 and sign_in:
                # Idle here: was the same sign-in active on another host since? (one query, only now)
                last = max(last, int(handoff.sign_in_last_seen(sign_in=sign_in) or 0))
            if now - last > settings.STAFF_IDLE_MINUTES * 60:
                logout(request)  # ends the sign-in's sessions on every host (handoff._end_sign_in)
                if request.path.startswith("/api/"):
                    return JsonResponse({"code": "session_expired",
                                         "detail": _("You were signed out after a time without activity.")},
                                        status=401)
                response = redirect("accounts:login")
                response["Location"] += "?" + urlencode({"next": request.get_full_path(), "idle": "1"})
                return response
            if now - last >= 60:  # a write at most once a minute, here and for the sign-in's other hosts
                session[two_factor.SEEN_AT] = now
                if sign_in:
                    handoff.sign_in_seen(sign_in=sign_in, when=timezone.now())
        return self.get_response(request)
