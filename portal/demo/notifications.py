"""Demo notifications: the demo person sees a session to confirm and their approved plan in the notification
centre; the social worker a review reminder (when one is due). In the demo, the worker then adds the
notifications of every event the demo's own loaders emitted."""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse

from portal.budgets.ledger.selectors import plans_review_due
from portal.budgets.people.models import Person, SupportPlan
from portal.marketplace.agreements.models import Agreement, AgreementStatus
from portal.marketplace.catalogue.models import ProviderStaff
from portal.marketplace.invoicing.models import Session, SessionStatus
from portal.notifications.models import Kind, Notification
from portal.notifications.services import notify
from portal.notifications.threads.models import Message
from portal.notifications.threads.services import message_post
from portal.platform.accounts.models import User

from .users import municipal_email

TENANT_URLS = "portal.platform.urls_tenant"


def load(municipality, out):
    person_user = User.objects.filter(email=municipal_email("persona", municipality.code)).first()
    if person_user is None or Notification.objects.filter(recipient=person_user).exists():
        return
    person = Person.objects.filter(user=person_user).select_related("social_worker").first()
    if person is None:
        return
    written = 0
    with transaction.atomic():
        session = (Session.objects.filter(agreement__person=person, status=SessionStatus.RECORDED)
                   .select_related("agreement__service").order_by("-date").first())
        if session is not None:
            written += notify(recipients=[person_user.pk], kind=Kind.SESSION_RECORDED, params={
                "agreement": session.agreement_id, "service": session.agreement.service.title_lv,
                "date": session.date.strftime("%d.%m.%Y"), "municipality": municipality.name},
                link=reverse("invoicing:family-session", urlconf=TENANT_URLS, kwargs={"session_id": session.pk}))
        plan = SupportPlan.objects.filter(person=person, status=SupportPlan.Status.APPROVED).first()
        if plan is not None:
            written += notify(recipients=[person_user.pk], kind=Kind.PLAN_APPROVED, params={"version": plan.version},
                              link=reverse("people:my-plan", urlconf=TENANT_URLS))
        due = plans_review_due(today=plan.period_end if plan else None) if plan else []
        for reviewed in list(due)[:1]:
            if reviewed.person.social_worker_id:
                written += notify(recipients=[reviewed.person.social_worker_id], kind=Kind.PLAN_REVIEW_DUE,
                                  params={"person": reviewed.person.full_name, "subject": f"plan:{reviewed.pk}"},
                                  link=reverse("people:plan-review", urlconf=TENANT_URLS,
                                               kwargs={"person_id": reviewed.person_id, "plan_id": reviewed.pk}))
        written += _thread(municipality, person, person_user)
    if out is not None:
        print(f"  notifications: {municipality.code}: {written}", file=out, flush=True)


def _thread(municipality, person, person_user) -> int:
    """A short conversation on the person's first active agreement: the person asks, the provider answers."""
    agreement = (Agreement.objects.filter(person=person, status=AgreementStatus.ACTIVE)
                 .select_related("service", "person").order_by("pk").first())
    if agreement is None or Message.objects.filter(agreement=agreement).exists():
        return 0
    staff = ProviderStaff.objects.filter(provider_id=agreement.provider_id).select_related("user").first()
    link = reverse("notifications:thread", urlconf=TENANT_URLS, kwargs={"agreement_id": agreement.pk})
    provider_link = reverse("notifications:provider-thread", urlconf="portal.platform.urls_public",
                            kwargs={"code": municipality.code, "agreement_id": agreement.pk})
    message_post(agreement=agreement, actor=person_user, capacity="self", link=link, provider_link=provider_link,
                 body="Labdien! Vai nākamnedēļ nodarbību varam pārcelt uz ceturtdienu?")
    if staff is not None:
        message_post(agreement=agreement, actor=staff.user, capacity="provider", link=link,
                     provider_link=provider_link, body="Labdien! Jā, ceturtdienā plkst. 10:00 der.")
        return 2
    return 1
