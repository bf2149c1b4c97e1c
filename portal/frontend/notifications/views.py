"""The notification centre: the list (newest first), opening one (marks it read), marking all read, and
how each kind reaches the user. On the national site for national users, on a municipality's for its own."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.notifications.models import Channel, Kind, Notification
from portal.notifications.services import (notification_mark_read, notification_text, preferences_of,
                                           preferences_set)
from portal.tenants.access import current_municipality, roles_for


def _member(view):
    """Signed in and holding a role on this site (a member elsewhere sees the forbidden page)."""

    @login_required
    def wrapped(request, *args, **kwargs):
        if not roles_for(request.user, current_municipality()):
            return render(request, "frontend/forbidden.html", status=403)
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    return wrapped


@_member
def notification_list(request):
    show = request.GET.get("show", "")
    items = Notification.objects.filter(recipient=request.user)
    if show == "unread":
        items = items.filter(read_at__isnull=True)
    page = Paginator(items, 25).get_page(request.GET.get("page"))
    rows = [(n, notification_text(n)) for n in page]
    unread = Notification.objects.filter(recipient=request.user, read_at__isnull=True).count()
    template = "notifications/_list.html" if request.htmx else "notifications/list.html"
    return render(request, template, {"page": page, "rows": rows, "unread": unread, "show": show})


@_member
def notification_open(request, notification_id):
    """Opening a notification marks it read and follows its link (a POST from the list, or a plain GET)."""
    notification = Notification.objects.filter(recipient=request.user, pk=notification_id).first()
    if notification is None:
        raise Http404
    notification_mark_read(user=request.user, notification_id=notification.pk)
    link = notification.link
    if link and url_has_allowed_host_and_scheme(link, allowed_hosts={request.get_host()}):
        return redirect(link)
    return redirect("notifications:list")


@require_POST
@_member
def mark_all_read(request):
    changed = notification_mark_read(user=request.user)
    messages.success(request, _("All notifications are marked read.") if changed else _("Nothing was unread."))
    return redirect("notifications:list")


class PreferencesForm(forms.Form):
    def __init__(self, *args, initial_channels: dict, **kwargs):
        super().__init__(*args, **kwargs)
        for kind, label in Kind.choices:
            self.fields[kind] = forms.ChoiceField(label=label, choices=Channel.choices,
                                                  initial=initial_channels.get(kind, Channel.BOTH),
                                                  widget=forms.RadioSelect)


@_member
def preferences(request):
    form = PreferencesForm(request.POST or None, initial_channels=preferences_of(request.user))
    if request.method == "POST" and form.is_valid():
        preferences_set(user=request.user, channels=form.cleaned_data)
        messages.success(request, _("Your notification preferences are saved."))
        return redirect("notifications:preferences")
    return render(request, "notifications/preferences.html", {"form": form},
                  status=400 if form.errors else 200)
