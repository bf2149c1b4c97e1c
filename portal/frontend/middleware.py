"""Language: Latvian unless the person chose otherwise.

The browser's Accept-Language is deliberately ignored — a Latvian public
service speaks Latvian first; a person switches with the header links
(``?lang=en``), which sets a cookie, or by the language in their profile.
"""

from django.conf import settings
from django.http import HttpResponseRedirect
from django.utils import translation
from django.utils.cache import patch_vary_headers

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
