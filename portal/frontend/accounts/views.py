"""Sign-in pages around Django's views: password-reset requests are limited (see accounts.throttling)."""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.shortcuts import render

from portal.platform.accounts.throttling import client_address, reset_request_allowed


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
