"""The conversation on an agreement: on the municipality's site for the family and staff, on the national
site (inside the municipality's schema, as the provider's other agreement pages) for the provider's staff."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from portal.frontend.decorators import signed_in
from portal.frontend.forms import apply_domain_error
from portal.frontend.invoicing.common import in_municipality
from portal.marketplace.agreements import access as agreement_access
from portal.marketplace.invoicing import access as invoicing_access
from portal.notifications.threads.services import (MAX_LENGTH, AttachmentRejected, MessageInvalid, attachment_of,
                                                   message_post, message_report, messages_of, thread_links,
                                                   thread_mark_read)
from portal.platform.core.errors import DomainError, NotFound
from portal.platform.core.uploads import attachment_response, upload_read


class MessageForm(forms.Form):
    body = forms.CharField(label=gettext_lazy("Your message"), max_length=MAX_LENGTH, required=False,
                           widget=forms.Textarea(attrs={"rows": 4, "class": "govuk-textarea"}))
    attachment = forms.FileField(label=gettext_lazy("Attach a file (optional)"), required=False,
                                 help_text=gettext_lazy("A PDF, JPEG or PNG of at most 10 MB."))


def _thread(request, agreement, *, capacity, here, link, provider_link, back):
    form = MessageForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data.get("attachment")
        try:
            message_post(agreement=agreement, actor=request.user, body=form.cleaned_data["body"],
                         capacity=capacity or "", link=link, provider_link=provider_link,
                         attachment=(upload.name, upload_read(upload)) if upload is not None else None)
        except (MessageInvalid, AttachmentRejected) as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, _("Your message is sent."))
            return redirect(here)
    thread_mark_read(agreement=agreement, user=request.user)
    template = "notifications/_thread.html" if request.htmx else "notifications/thread.html"
    return render(request, template, {"agreement": agreement, "items": messages_of(agreement), "form": form,
                                      "here": here, "back": back}, status=400 if form.errors else 200)


@signed_in
def thread(request, agreement_id):
    agreement = agreement_access.agreement_for_user(request.user, agreement_id)
    link, provider_link = thread_links(agreement, request.tenant.code)
    return _thread(request, agreement, capacity=agreement_access.capacity_for(request.user, agreement), here=link,
                   link=link, provider_link=provider_link,
                   back=reverse("agreements:detail", kwargs={"agreement_id": agreement.pk}))


@in_municipality
def provider_thread(request, municipality, agreement_id):
    agreement = invoicing_access.agreement_for_provider(request.user, agreement_id)
    link, provider_link = thread_links(agreement, municipality.code)
    return _thread(request, agreement, capacity="provider", here=provider_link, link=link,
                   provider_link=provider_link,
                   back=reverse("invoicing:provider-agreement", kwargs={"code": municipality.code,
                                                                        "agreement_id": agreement.pk}))


def _download(agreement, attachment_id):
    """A participant's download of an attachment: read through the same checkpoint as the thread, so the
    read-audit registry notes it (``Attachment`` is personal data via its message)."""
    try:
        attachment = attachment_of(agreement, attachment_id)
    except NotFound:
        raise Http404 from None
    return attachment_response(content=attachment.content, content_type=attachment.content_type,
                               file_name=attachment.file_name)


@signed_in
def attachment(request, agreement_id, attachment_id):
    return _download(agreement_access.agreement_for_user(request.user, agreement_id), attachment_id)


@in_municipality
def provider_attachment(request, municipality, agreement_id, attachment_id):
    return _download(invoicing_access.agreement_for_provider(request.user, agreement_id), attachment_id)


def _report(request, agreement, message_id, here, link):
    try:
        message_report(agreement=agreement, message_id=message_id, actor=request.user,
                       reason=request.POST.get("reason", ""), link=link)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Thank you: the message is reported to the municipality."))
    return redirect(here)


@require_POST
@signed_in
def report(request, agreement_id, message_id):
    agreement = agreement_access.agreement_for_user(request.user, agreement_id)
    link, _provider = thread_links(agreement, request.tenant.code)
    return _report(request, agreement, message_id, link, link)


@require_POST
@in_municipality
def provider_report(request, municipality, agreement_id, message_id):
    agreement = invoicing_access.agreement_for_provider(request.user, agreement_id)
    link, provider_link = thread_links(agreement, municipality.code)
    return _report(request, agreement, message_id, provider_link, link)
