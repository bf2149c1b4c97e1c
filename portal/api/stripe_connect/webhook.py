"""``POST /stripe/webhook/`` on the national site: Stripe's events, verified on the raw body.

Not a DRF view: the signature covers the exact bytes, so nothing may parse the body first. Answers
200 ``{"received": true}`` (also for a duplicate), 400 with a stable code for anything unsigned,
forged or stale — and then nothing is written.
"""

from __future__ import annotations

from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from portal.marketplace.stripe_connect.webhooks import WebhookRefused, event_receive


@csrf_exempt
@require_POST
def stripe_webhook(request):
    try:
        event, first = event_receive(payload=request.body, signature=request.headers.get("Stripe-Signature"))
    except WebhookRefused as error:
        return JsonResponse(error.as_dict(), status=error.status)
    return JsonResponse({"received": True, "duplicate": not first, "outcome": event.outcome})
