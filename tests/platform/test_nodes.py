"""Two portal nodes as one portal: two `portal serve` processes on two ports and two Celery workers
(`portal worker --no-beat`), all real processes on loopback, against one PostgreSQL (the test database) and
one Valkey — as two machines behind a load balancer.

- a session started on one node works on the other (sessions live in PostgreSQL);
- a notification raised by a request to one node reaches a websocket held by the other (the Channels layer
  on Valkey);
- a scheduled job, sent once as beat sends it, runs once across both workers (one queue, acks late);
- a change made through one node is found by the other node's in-memory search index: the time until fresh
  is measured and printed.
"""

from __future__ import annotations

import json
import re
import socket as socket_module
import time
from http.cookies import SimpleCookie

import pytest
from django.db import connection

from portal.demo.users import DEMO_PASSWORD, municipal_email
from tests.background.conftest import start_worker
from tests.platform.nodes import request, start_web, stop, wait, wait_ready

JELGAVA = "jelgava.localhost"
_node_processes: list = []  # the web nodes' processes (a fault test kills one)


@pytest.fixture(scope="module")
def nodes(django_db_setup, django_db_blocker):
    from portal.platform.background.app import app, database_queue

    with django_db_blocker.unblock():
        database = connection.settings_dict["NAME"]
        queue_name = database_queue()
    with app.connection_for_write() as broker:
        broker.default_channel.queue_purge(queue_name)
    env = {"PORTAL_DEMO": "1", "PORTAL_API_RATE_ANON": "10000/min", "PORTAL_API_RATE_USER": "10000/min"}
    webs = [start_web(database, **env) for _ in range(2)]
    _node_processes[:] = [process for process, _port in webs]
    workers = [start_worker(queue=None) for _ in range(2)]
    try:
        for process, port in webs:
            wait_ready(process, port)
        yield [port for _process, port in webs], workers
    finally:
        for process in [*(p for p, _port in webs), *workers]:
            stop(process)


@pytest.mark.django_db  # also makes pytest-django set the test database up when this module runs alone
def test_the_nodes_share_one_database_and_one_valkey():
    from django.conf import settings

    assert connection.settings_dict["NAME"] == settings.DATABASES["default"]["TEST"]["NAME"]
    assert settings.CACHES["default"]["LOCATION"].split("?")[0] == settings.REDIS_URL.split("?")[0]


class Browser:
    """Cookies kept per site, as a browser would; requests may go to either node (the load balancer)."""

    def __init__(self, host: str):
        self.host, self.cookies = host, {}

    def _headers(self, extra=None):
        cookie = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        return {**({"Cookie": cookie} if cookie else {}), **(extra or {})}

    def _keep(self, headers):
        for raw in headers.get_all("Set-Cookie") or []:
            parsed = SimpleCookie(raw)
            for key, morsel in parsed.items():
                self.cookies[key] = morsel.value

    def get(self, port, path):
        status, headers, body, _s = request(port, path, host=self.host, headers=self._headers())
        self._keep(headers)
        return status, headers, body

    def post(self, port, path, form: dict | None = None, *, method="POST", json_body=None):
        extra = {"X-CSRFToken": self.cookies.get("sbs_csrftoken", ""), "Referer": f"http://{self.host}{path}"}
        if json_body is not None:
            body, extra["Content-Type"] = json.dumps(json_body), "application/json"
        else:
            from urllib.parse import urlencode

            body = urlencode({"csrfmiddlewaretoken": self.cookies.get("sbs_csrftoken", ""), **(form or {})})
            extra["Content-Type"] = "application/x-www-form-urlencoded"
        status, headers, text, _s = request(port, path, host=self.host, method=method, body=body,
                                            headers=self._headers(extra))
        self._keep(headers)
        return status, headers, text

    def sign_in(self, port, email, django_db_blocker=None):
        """Password, then — where the account has an authenticator app (the demo offers it; earlier tests in
        the same database may have set one up) — the code that app shows now, as the person would type it."""
        self.get(port, "/konts/ieiet/")
        status, headers, _text = self.post(port, "/konts/ieiet/", {"username": email, "password": DEMO_PASSWORD})
        assert status == 302 and "ieiet" not in headers["Location"], (status, headers.get("Location"))
        if django_db_blocker is not None and _app_code(django_db_blocker, email):
            self.get(port, "/konts/otrais-solis/")
            status, headers, _text = self.post(port, "/konts/otrais-solis/",
                                               {"code": _app_code(django_db_blocker, email)})
            assert status == 302 and "otrais-solis" not in headers["Location"], (status, headers.get("Location"))


def _app_code(django_db_blocker, email) -> str:
    """The code the user's authenticator app shows now (RFC 6238 from the device's key); "" without an app."""
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    with django_db_blocker.unblock():
        device = TOTPDevice.objects.filter(user__email=email, confirmed=True).first()
    if device is None:
        return ""
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift):0{device.digits}d}"


def test_a_session_started_on_one_node_works_on_the_other(nodes):
    (a, b), _workers = nodes
    person = Browser(JELGAVA)
    person.sign_in(a, municipal_email("persona", "jelgava"))
    status, _headers, _body = person.get(b, "/pazinojumi/")
    assert status == 200  # signed in on B with the session A started
    status, headers, _body = Browser(JELGAVA).get(b, "/pazinojumi/")
    assert status == 302 and "ieiet" in headers["Location"]  # and without it, not


def _agreement_of(django_db_blocker, email):
    from portal.marketplace.agreements.models import Agreement
    from portal.platform.accounts.models import User
    from portal.tenants.models import Municipality

    with django_db_blocker.unblock():
        connection.set_tenant(Municipality.objects.get(code="jelgava"))
        try:
            user = User.objects.get(email=email)
            agreement = Agreement.objects.filter(person__user=user).order_by("pk").first()
            return user.pk, agreement.pk, agreement.person.social_worker.email
        finally:
            connection.set_schema_to_public()


def _forget_message(django_db_blocker, agreement_id, text):
    from portal.notifications.models import Notification
    from portal.notifications.threads.models import Message
    from portal.tenants.models import Municipality

    with django_db_blocker.unblock():
        connection.set_tenant(Municipality.objects.get(code="jelgava"))
        try:
            Notification.objects.filter(params__agreement=agreement_id, created_at__gte=_forget_message.since).delete()
            Message.objects.filter(agreement_id=agreement_id, body=text).delete()
        finally:
            connection.set_schema_to_public()


def test_a_notification_raised_through_one_node_reaches_a_socket_held_by_the_other(nodes, django_db_blocker):
    from django.utils import timezone
    from websockets.sync.client import connect

    (a, b), _workers = nodes
    email = municipal_email("persona", "jelgava")
    person_id, agreement_id, worker_email = _agreement_of(django_db_blocker, email)
    person = Browser(JELGAVA)
    person.sign_in(b, email, django_db_blocker)
    _forget_message.since = timezone.now()
    text = f"Ziņa no mezgla A {time.time_ns()}"
    headers = {"Cookie": f"sbs_session={person.cookies['sbs_session']}"}
    tcp = socket_module.create_connection(("127.0.0.1", b), timeout=10)  # the host name, on loopback
    try:
        with connect(f"ws://{JELGAVA}:{b}/ws/notifications/", sock=tcp, origin=f"http://{JELGAVA}:{b}",
                     additional_headers=headers, open_timeout=10) as socket:
            hello = json.loads(socket.recv(timeout=10))
            assert hello["type"] == "hello" and hello["municipality"] == "jelgava"
            social_worker = Browser(JELGAVA)
            social_worker.sign_in(a, worker_email, django_db_blocker)
            path = f"/vienosanas/{agreement_id}/zinas/"
            status, headers, _body = social_worker.get(a, path)
            assert status == 200, (status, headers.get("Location"))
            started = time.perf_counter()
            status, _h, body = social_worker.post(a, path, {"body": text})
            assert status in (200, 302), body[:500]
            pushed = json.loads(socket.recv(timeout=10))
            print(f"\nnotification: request on node A → socket on node B in {time.perf_counter() - started:.3f} s")
        assert pushed["type"] == "notification" and pushed["kind"] == "message.received"
        assert str(agreement_id) in pushed["text"] and pushed["unread"] >= 1
    finally:
        _forget_message(django_db_blocker, agreement_id, text)
    assert person_id


def test_a_scheduled_job_runs_once_across_two_workers(nodes, django_db_blocker):
    from portal.platform.background.app import app
    from portal.platform.core.models import AuditEvent
    from portal.tenants.models import Municipality
    from tests.background.handlers import SCHEDULED

    def runs():
        with django_db_blocker.unblock():
            counts = {}
            for municipality in Municipality.objects.exclude(schema_name="public"):
                connection.set_tenant(municipality)
                counts[municipality.code] = AuditEvent.objects.filter(object_type="test.scheduled").count()
            connection.set_schema_to_public()
            return counts

    def forget():
        with django_db_blocker.unblock():
            for municipality in Municipality.objects.exclude(schema_name="public"):
                connection.set_tenant(municipality)
                AuditEvent.objects.filter(object_type="test.scheduled").delete()
            connection.set_schema_to_public()

    forget()
    try:
        with django_db_blocker.unblock():  # what beat sends for a schedule entry: the fan-out, once
            app.send_task("portal.background.each_municipality", args=[SCHEDULED])
        assert wait(lambda: all(runs().values()), 20), runs()
        time.sleep(1.0)  # a second delivery, if any, would land now
        assert set(runs().values()) == {1}, runs()  # once per municipality, not once per worker
    finally:
        forget()


def test_the_search_of_each_node_is_fresh_after_a_change_through_the_other(nodes, django_db_blocker):
    from portal.marketplace.catalogue.models import Service

    (a, b), _workers = nodes
    with django_db_blocker.unblock():
        service = (Service.objects.filter(provider__staff__user__email="sniedzejs@sbs.localhost", is_active=True,
                                          provider__status="verified").order_by("pk").first())
        original = service.title_lv
    staff = Browser("localhost")
    staff.sign_in(a, "sniedzejs@sbs.localhost")
    word = "Mezglutests" + "".join(chr(ord("a") + int(d)) for d in str(time.time_ns())[-6:])
    search = f"/api/v1/search/services/?q={word}"
    assert '"count":0' in request(b, search, host="localhost")[2].replace(" ", "")  # B loaded its index before
    try:
        status, _h, body = staff.post(a, f"/api/v1/catalogue/my/services/{service.pk}/", method="PATCH",
                                      json_body={"title_lv": f"{original} {word}"})
        assert status == 200, body[:500]
        changed = time.perf_counter()
        timings = {}
        for name, port in (("B", b), ("A", a)):
            def found(port=port):
                text = request(port, search, host="localhost")[2]
                return re.search(r'"count":\s*[1-9]', text) is not None

            assert wait(found, 20, step=0.02), f"node {name} never found the change"
            timings[name] = time.perf_counter() - changed
        print(f"\nsearch fresh after a change through node A: node B {timings['B']:.3f} s, "
              f"node A {timings['A']:.3f} s")
    finally:
        staff.post(a, f"/api/v1/catalogue/my/services/{service.pk}/", method="PATCH", json_body={"title_lv": original})


# ---- faults under load ------------------------------------------------------------------------------------

class Load:
    """A few threads requesting pages through a tiny load balancer over the nodes: a node that refuses the
    connection, or drops it mid-request, is skipped for the next one (as a balancer retries an idempotent GET),
    every request has a deadline."""

    def __init__(self, ports, paths, *, threads: int = 3, deadline: float = 5.0):
        import threading

        self.ports, self.paths, self.deadline = list(ports), paths, deadline
        self.results: list[tuple[str, object, float]] = []
        self.started: list[float] = []
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._run, args=(i,), daemon=True) for i in range(threads)]

    def _run(self, offset: int):
        i = offset
        while not self._stop.is_set():
            path = self.paths[i % len(self.paths)]
            started = time.perf_counter()
            outcome: object = "refused everywhere"
            for attempt in range(len(self.ports)):
                port = self.ports[(i + attempt) % len(self.ports)]
                try:
                    outcome = request(port, path, timeout=self.deadline)[0]
                    break
                except ConnectionError:  # refused, or reset by a node killed mid-request: a balancer retries a GET
                    continue
                except OSError as error:  # a timeout: the deadline passed
                    outcome = type(error).__name__
                    break
            self.results.append((path, outcome, time.perf_counter() - started))
            self.started.append(started)
            i += 1

    def __enter__(self):
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=10)

    def statuses(self) -> set:
        return {outcome for _path, outcome, _s in self.results}

    def slowest(self) -> float:
        return max(seconds for _p, _o, seconds in self.results)


def _valkey_pid() -> int:
    from portal.platform.embedded_valkey import valkey_dir

    return int((valkey_dir() / "valkey.pid").read_text())


def test_valkey_killed_under_load_no_request_hangs_no_outbox_event_is_lost_and_it_heals(nodes, django_db_blocker):
    import os
    import signal

    from django.db import transaction

    from portal.platform.background.app import app
    from portal.platform.core.models import AuditEvent
    from portal.platform.embedded_db import process_alive
    from portal.platform.embedded_valkey import ping, socket_path
    from portal.platform.outbox.models import OutboxEvent
    from portal.platform.outbox.services import outbox_emit
    from portal.tenants.models import Municipality
    from tests.background.handlers import KIND

    (a, b), _workers = nodes
    paths = ["/healthz/live", "/api/v1/municipalities/", "/"]
    with django_db_blocker.unblock():
        jelgava = Municipality.objects.get(code="jelgava")
    emitted = []
    for port in (a, b):  # a node's first API request builds what it caches (seconds): not what is measured here
        for path in paths:
            request(port, path)
    with Load([a, b], paths) as load:
        time.sleep(0.5)
        pid = _valkey_pid()
        killed = time.perf_counter()
        os.kill(pid, signal.SIGKILL)
        assert wait(lambda: not process_alive(pid), 5)
        with django_db_blocker.unblock():  # business goes on while Valkey is away: three events, committed
            connection.set_tenant(jelgava)
            try:
                for n in range(3):
                    with transaction.atomic():
                        emitted.append(outbox_emit(kind=KIND, payload={"note": f"valkey-fault-{n}"}).pk)
            finally:
                connection.set_schema_to_public()
        # The owner of the embedded servers (this test session) restarts Valkey by itself.
        assert wait(lambda: ping(socket_path()) and _valkey_pid() != pid, 15), "Valkey was not restarted"
        healed = time.perf_counter()
        assert wait(lambda: request(b, "/api/v1/municipalities/")[0] == 200, 10)
        print(f"\nValkey killed under load: API answering again {time.perf_counter() - healed:.2f} s after "
              f"the restart; {len(load.results)} requests so far")
        time.sleep(0.5)
    try:
        with django_db_blocker.unblock():  # the sweep (beat's job) sends what the dead broker never got
            app.send_task("portal.background.each_municipality", args=["portal.outbox.sweep"])

        def handled():
            with django_db_blocker.unblock():
                connection.set_tenant(jelgava)
                try:
                    return OutboxEvent.objects.filter(pk__in=emitted, processed_at__isnull=False).count() == 3
                finally:
                    connection.set_schema_to_public()

        assert wait(handled, 30), "an outbox event was lost"
        with django_db_blocker.unblock():
            connection.set_tenant(jelgava)
            try:
                effects = AuditEvent.objects.filter(object_type="test.outbox", object_id__in=[str(p) for p in emitted])
                assert effects.count() == 3  # each handled once
            finally:
                connection.set_schema_to_public()
    finally:
        with django_db_blocker.unblock():
            connection.set_tenant(jelgava)
            AuditEvent.objects.filter(object_type="test.outbox", object_id__in=[str(p) for p in emitted]).delete()
            OutboxEvent.objects.filter(pk__in=emitted).delete()
            connection.set_schema_to_public()
    slow = [(path, outcome, round(seconds, 2)) for path, outcome, seconds in load.results if seconds > 1.0]
    print(f"requests over 1 s: {slow}")
    assert load.statuses() <= {200, 503}, load.statuses()  # never a 500, never past the deadline
    around = [(path, outcome, round(seconds, 2)) for (path, outcome, seconds), started
              in zip(load.results, load.started) if started >= killed - 0.2]
    assert around and {outcome for _p, outcome, _s in around if _p.startswith("/api/")} >= {503}, around
    assert max(seconds for _p, _o, seconds in around) < 1.0, around  # 503 + Retry-After at once, then 200


def test_one_of_two_web_nodes_killed_under_load_the_other_serves_every_request(nodes):
    import os
    import signal

    (a, b), _workers = nodes
    web_a = next(p for p in _node_processes if p.args[-3:] == ["--port", str(a), "--no-worker"])
    with Load([a, b], ["/healthz/live", "/api/v1/municipalities/", "/"]) as load:
        time.sleep(0.5)
        os.kill(web_a.pid, signal.SIGKILL)
        web_a.wait(timeout=10)
        killed_at = len(load.results)
        time.sleep(2.0)
    after = load.results[killed_at:]
    assert after and {outcome for _p, outcome, _s in after} == {200}, {o for _p, o, _s in after}
    assert load.slowest() < 5.0
    print(f"\nweb node killed under load: {len(after)} requests after the kill, all answered by the other node, "
          f"slowest {load.slowest():.2f} s")
