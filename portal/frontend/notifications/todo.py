"""The to-do list's words and links: one entry per ``portal.notifications.todo`` code."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse
from django.utils.translation import ngettext

from portal.notifications.todo import Todo

# code: (singular, plural, url name, query string)
WORDING = {
    "sessions.confirm": ("%(count)s session to confirm or dispute", "%(count)s sessions to confirm or dispute",
                         "invoicing:family-sessions", "?status=recorded"),
    "copayments.due": ("%(count)s agreement with a co-payment to pay", "%(count)s agreements with a co-payment to pay",
                       "agreements:list", "?status=active"),
    "payments.failed": ("%(count)s payment failed, came back or waits", "%(count)s payments failed, came back or wait",
                        "payments:list", ""),
    "agreements.sign": ("%(count)s agreement waits for your confirmation",
                        "%(count)s agreements wait for your confirmation", "agreements:list", "?status=awaiting_person"),
    "agreements.drafts": ("%(count)s draft from your support person to decide on",
                          "%(count)s drafts from your support person to decide on", "agreements:list", "?status=draft"),
    "agreements.my_drafts": ("%(count)s draft you prepared is not yet sent to the person",
                             "%(count)s drafts you prepared are not yet sent to the person", "agreements:list",
                             "?status=draft"),
    "plans.approve": ("%(count)s support plan to approve", "%(count)s support plans to approve",
                      "people:person-list", ""),
    "plans.review": ("%(count)s plan review due", "%(count)s plan reviews due", "frontend:dashboard", "#watch-heading"),
    "budgets.alerts": ("%(count)s budget alert", "%(count)s budget alerts", "frontend:dashboard", "#watch-heading"),
    "invoices.approve": ("%(count)s invoice waiting for approval", "%(count)s invoices waiting for approval",
                         "invoicing:finance-queue", ""),
    "catalogue.approve": ("%(count)s provider or service awaiting approval",
                          "%(count)s providers or services awaiting approval", "catalogue:approvals", ""),
    "agreements.answer": ("%(count)s agreement request to answer before its deadline",
                          "%(count)s agreement requests to answer before their deadline",
                          "invoicing:provider-hub", "?kind=agreement&status=awaiting_provider"),
    "sessions.record": ("%(count)s active agreement to record sessions for",
                        "%(count)s active agreements to record sessions for", "invoicing:provider-hub",
                        "?kind=agreement&status=active"),
    "invoices.rejected": ("%(count)s rejected invoice to correct", "%(count)s rejected invoices to correct",
                          "invoicing:provider-hub", "?kind=invoice&status=rejected"),
}


def todo_rows(items: list[Todo]) -> list[dict]:
    """What the template shows: only what waits, with its words and link."""
    rows = []
    for item in items:
        if not item.count or item.code not in WORDING:
            continue
        singular, plural, name, query = WORDING[item.code]
        try:
            url = reverse(name) + query
        except NoReverseMatch:
            url = ""
        rows.append({"code": item.code, "text": ngettext(singular, plural, item.count) % {"count": item.count},
                     "url": url, "overdue": item.overdue, "since": item.since,
                     "months": item.items if item.code == "sessions.confirm" else ()})
    return rows
