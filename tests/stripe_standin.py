"""A local stand-in of the Stripe API for the tests: the real ``stripe`` library talks to it over HTTP.

Objects start from Stripe's own published fixtures (tests/fixtures/stripe/fixtures3.json, from
stripe/openapi under the MIT licence beside it), then take what the request set and a fresh id of the
right prefix. State is kept: accounts, transfers, reversals, checkout sessions and the platform
balance. It answers as Stripe documents:

- a transfer larger than the available balance: 400 ``balance_insufficient``; to an account whose
  ``payouts_enabled`` is false: 400 ``insufficient_capabilities_for_transfer``;
- ``Idempotency-Key``: the same key and parameters replay the first response (status and body,
  errors included, as Stripe saves any result once the endpoint ran); the same key with other
  parameters: 400 ``idempotency_error``;
- errors in the envelope ``{"error": {"type", "code", "message", "param"}}``, so the library raises
  its own exception classes; an unknown id: 404 ``resource_missing``; no key: 401.

Every change also records the event Stripe would send (``account.updated``, ``transfer.created``,
``transfer.reversed``, ``checkout.session.completed``/``expired``) in ``events``; tests deliver them,
signed with ``stripe.WebhookSignature``, in whatever order and as often as they like (``sign``).
What it cannot prove is listed in docs/subsystems/stripe.md.
"""

from __future__ import annotations

import copy
import html
import json
import re
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import stripe

FIXTURES = Path(__file__).parent / "fixtures" / "stripe" / "fixtures3.json"
WEBHOOK_SECRET = "whsec_standin_test_secret"
API_KEY = "sk_test_standin"


def _fixtures() -> dict:
    return json.loads(FIXTURES.read_text(encoding="utf-8"))["resources"]


def _new_id(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(12)}"


def _set(target: dict, keys: list[str], value: str) -> None:
    """``a[b][0][c]=v`` into nested dicts; numeric keys make lists."""
    for i, key in enumerate(keys[:-1]):
        nxt = keys[i + 1]
        if isinstance(target, list):
            key = int(key)
            while len(target) <= key:
                target.append([] if nxt.isdigit() else {})
            target = target[key]
        else:
            target = target.setdefault(key, [] if nxt.isdigit() else {})
    last = keys[-1]
    if isinstance(target, list):
        target.append(value)
    else:
        target[last] = value


def parse_form(body: str) -> dict:
    params: dict = {}
    for name, value in parse_qsl(body, keep_blank_values=True):
        _set(params, re.findall(r"[^\[\]]+", name), value)
    return params


class StripeError(Exception):
    def __init__(self, status: int, type_: str, message: str, code: str | None = None, param: str | None = None):
        super().__init__(message)
        self.status, self.body = status, {"error": {"type": type_, "code": code, "message": message, "param": param}}


class StripeStandIn:
    """The server and its state. ``base`` is the address to give ``stripe.StripeClient(base_addresses=...)``."""

    def __init__(self, balance_cents: int = 1_000_000, currency: str = "eur"):
        self.fixtures = _fixtures()
        self.lock = threading.RLock()
        self.accounts: dict[str, dict] = {}
        self.transfers: dict[str, dict] = {}
        self.sessions: dict[str, dict] = {}
        self.balance = {currency: balance_cents}
        self.currency = currency
        self.idempotent: dict[str, tuple[str, int, dict]] = {}
        self.events: list[dict] = []
        self.requests: list[tuple[str, str]] = []  # (method, path) of every request, for the tests to count
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> StripeStandIn:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    # ------------------------------------------------------------------ what the tests drive
    def count(self, method: str, path: str) -> int:
        return sum(1 for m, p in self.requests if m == method and p == path)

    def event(self, type_: str, obj: dict, *, created: int | None = None) -> dict:
        event = copy.deepcopy(self.fixtures["event"])
        event.update(id=_new_id("evt"), type=type_, created=int(created or time.time()),
                     data={"object": copy.deepcopy(obj)}, api_version=stripe.api_version)
        with self.lock:
            self.events.append(event)
        return event

    def account_update(self, account_id: str, *, details_submitted: bool, payouts_enabled: bool,
                       currently_due: list[str] = (), created: int | None = None) -> dict:
        """What onboarding on Stripe's side would change; returns the ``account.updated`` event."""
        with self.lock:
            account = self.accounts[account_id]
            account.update(details_submitted=details_submitted, payouts_enabled=payouts_enabled,
                           charges_enabled=payouts_enabled)
            account["requirements"]["currently_due"] = list(currently_due)
            account["requirements"]["disabled_reason"] = None if payouts_enabled else "requirements.past_due"
            return self.event("account.updated", account, created=created)

    def session_finish(self, session_id: str, *, paid: bool, delayed: bool = False) -> dict:
        """Completed (paid) or expired; ``delayed``: completed with a bank debit still running (``unpaid``)."""
        with self.lock:
            session = self.sessions[session_id]
            session.update(status="complete" if paid else "expired",
                           payment_status="paid" if paid and not delayed else "unpaid")
            return self.event("checkout.session.completed" if paid else "checkout.session.expired", session)

    def session_async(self, session_id: str, *, succeeded: bool) -> dict:
        """The delayed payment's outcome: ``checkout.session.async_payment_succeeded`` or ``…_failed``."""
        with self.lock:
            session = self.sessions[session_id]
            session.update(payment_status="paid" if succeeded else "unpaid")
            kind = "succeeded" if succeeded else "failed"
            return self.event(f"checkout.session.async_payment_{kind}", session)

    @staticmethod
    def sign(event: dict, *, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> tuple[bytes, str]:
        payload = json.dumps(event)
        return payload.encode(), stripe.WebhookSignature.generate_signature_header(payload, secret, timestamp)

    # ------------------------------------------------------------------ the API
    def _object(self, resource: str, prefix: str, **values) -> dict:
        obj = copy.deepcopy(self.fixtures[resource])
        obj.update(id=_new_id(prefix), created=int(time.time()), livemode=False, **values)
        return obj

    def _route(self, method: str, path: str, params: dict) -> tuple[int, dict]:
        if method == "POST" and path == "/v1/accounts":
            return 200, self._account_create(params)
        if method == "GET" and (m := re.fullmatch(r"/v1/accounts/([\w]+)", path)):
            return 200, self._get(self.accounts, m[1], "account")
        if method == "POST" and path == "/v1/account_links":
            self._get(self.accounts, params.get("account", ""), "account", param="account")
            return 200, {**self.fixtures["account_link"], "created": int(time.time()),
                         "expires_at": int(time.time()) + 300,
                         "url": f"{self.base}/setup/s/{params['account']}/{secrets.token_hex(6)}"}
        if method == "POST" and path == "/v1/transfers":
            return 200, self._transfer_create(params)
        if method == "GET" and (m := re.fullmatch(r"/v1/transfers/([\w]+)", path)):
            return 200, self._get(self.transfers, m[1], "transfer")
        if method == "POST" and (m := re.fullmatch(r"/v1/transfers/([\w]+)/reversals", path)):
            return 200, self._reversal_create(m[1], params)
        if method == "GET" and path == "/v1/balance":
            balance = copy.deepcopy(self.fixtures["balance"])
            balance["available"] = [{"amount": amount, "currency": cur, "source_types": {"card": amount}}
                                    for cur, amount in self.balance.items()]
            balance["pending"] = [{"amount": 0, "currency": cur, "source_types": {"card": 0}} for cur in self.balance]
            return 200, balance
        if method == "POST" and path == "/v1/checkout/sessions":
            return 200, self._session_create(params)
        raise StripeError(404, "invalid_request_error", f"Unrecognized request URL ({method}: {path}).")

    def _get(self, store: dict, key: str, kind: str, param: str = "id") -> dict:
        if key not in store:
            raise StripeError(404, "invalid_request_error", f"No such {kind}: '{key}'", "resource_missing", param)
        return store[key]

    def _account_create(self, params: dict) -> dict:
        account = self._object("account", "acct", email=params.get("email"), country=params.get("country", "LV"),
                               type=params.get("type", "express"), metadata=params.get("metadata", {}),
                               details_submitted=False, payouts_enabled=False, charges_enabled=False,
                               default_currency=self.currency)
        account["business_profile"]["name"] = (params.get("business_profile") or {}).get("name")
        account["external_accounts"]["url"] = f"/v1/accounts/{account['id']}/external_accounts"
        self.accounts[account["id"]] = account
        return account

    def _transfer_create(self, params: dict) -> dict:
        try:
            amount = int(params.get("amount", ""))
        except ValueError:
            raise StripeError(400, "invalid_request_error", "Invalid integer: amount", "parameter_invalid_integer",
                              "amount") from None
        currency = params.get("currency", "")
        account = self._get(self.accounts, params.get("destination", ""), "destination", param="destination")
        if not account["payouts_enabled"]:
            raise StripeError(400, "invalid_request_error",
                              "Your destination account needs to have at least one of the following capabilities "
                              "enabled: transfers, crypto_transfers, legacy_payments",
                              "insufficient_capabilities_for_transfer", "destination")
        if amount > self.balance.get(currency, 0):
            raise StripeError(400, "invalid_request_error",
                              "You have insufficient available funds in your Stripe account. Try adding funds "
                              "directly to your available balance by creating Charges using the "
                              "4000000000000077 test card.", "balance_insufficient")
        self.balance[currency] -= amount
        transfer = self._object("transfer", "tr", amount=amount, currency=currency, destination=account["id"],
                                metadata=params.get("metadata", {}), transfer_group=params.get("transfer_group"),
                                description=params.get("description"), amount_reversed=0, reversed=False,
                                destination_payment=_new_id("py"), balance_transaction=_new_id("txn"))
        transfer["reversals"]["url"] = f"/v1/transfers/{transfer['id']}/reversals"
        self.transfers[transfer["id"]] = transfer
        self.event("transfer.created", transfer)
        return transfer

    def _reversal_create(self, transfer_id: str, params: dict) -> dict:
        transfer = self._get(self.transfers, transfer_id, "transfer")
        left = transfer["amount"] - transfer["amount_reversed"]
        amount = int(params.get("amount", left))
        if amount > left:
            raise StripeError(400, "invalid_request_error",
                              f"Amount ({amount}) is greater than unreversed amount on transfer ({left})",
                              "parameter_invalid_integer", "amount")
        reversal = self._object("transfer_reversal", "trr", amount=amount, currency=transfer["currency"],
                                transfer=transfer_id, metadata=params.get("metadata", {}))
        transfer["amount_reversed"] += amount
        transfer["reversed"] = transfer["amount_reversed"] == transfer["amount"]
        transfer["reversals"]["data"].append(reversal)
        self.balance[transfer["currency"]] += amount
        self.event("transfer.reversed", transfer)
        return reversal

    def _session_create(self, params: dict) -> dict:
        items = params.get("line_items") or []
        total = sum(int(i["price_data"]["unit_amount"]) * int(i.get("quantity", 1)) for i in items)
        session = self._object("checkout.session", "cs_test", mode=params.get("mode", "payment"),
                               success_url=params.get("success_url"), cancel_url=params.get("cancel_url"),
                               client_reference_id=params.get("client_reference_id"),
                               metadata=params.get("metadata", {}), amount_total=total, amount_subtotal=total,
                               currency=items[0]["price_data"]["currency"] if items else None,
                               status="open", payment_status="unpaid", expires_at=int(time.time()) + 86400)
        session["url"] = f"{self.base}/c/pay/{session['id']}"
        self.sessions[session["id"]] = session
        return session

    def _handler(self):
        standin = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # quiet
                pass

            def _answer(self, status: int, body: dict) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.send_header("Request-Id", _new_id("req"))
                self.end_headers()
                self.wfile.write(data)

            def _serve(self, method: str) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
                url = urlsplit(self.path)
                params = parse_form(raw if method == "POST" else url.query)
                if self.headers.get("Authorization") != f"Bearer {API_KEY}":
                    return self._answer(401, {"error": {"type": "invalid_request_error", "code": None,
                                                        "message": "Invalid API Key provided.", "param": None}})
                key = self.headers.get("Idempotency-Key") if method == "POST" else None
                fingerprint = json.dumps([url.path, params], sort_keys=True)
                with standin.lock:
                    standin.requests.append((method, url.path))
                    if key and key in standin.idempotent:
                        first, status, body = standin.idempotent[key]
                        if first != fingerprint:
                            return self._answer(400, {"error": {
                                "type": "idempotency_error", "code": None, "param": None,
                                "message": "Keys for idempotent requests can only be used with the same parameters "
                                           f"they were first used with. Try using a key other than '{key}' if you "
                                           "meant to execute a different request."}})
                        return self._answer(status, body)
                    try:
                        status, body = standin._route(method, url.path, params)
                    except StripeError as error:
                        status, body = error.status, error.body
                    if key:
                        standin.idempotent[key] = (fingerprint, status, body)
                return self._answer(status, copy.deepcopy(body))

            def do_GET(self):
                if self.path.startswith("/c/pay/"):  # the hosted payment page a browser is sent to (trivial)
                    data = (f"<!DOCTYPE html><html lang='en'><head><title>Stripe Checkout stand-in</title></head>"
                            f"<body><main><h1>Checkout stand-in</h1><p id='session'>{html.escape(self.path[7:])}</p></main>"
                            f"</body></html>").encode()
                    self.send_response(200)
                    self.send_header("Content-Type", "text/html; charset=utf-8")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                    return
                self._serve("GET")

            def do_POST(self):
                self._serve("POST")

        return Handler
