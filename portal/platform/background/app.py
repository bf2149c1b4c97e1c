"""The Celery app: settings from Django (``CELERY_*``), tasks from every installed app's ``tasks`` module.

Messages go to a queue named after the database the sender works on (``portal.<database name>``):
the demo (database ``portal``) and a test run beside it (``portal_test``) share one Valkey but never
each other's tasks, and a worker consumes only the queue of the database it is connected to.
"""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.platform.settings")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
app.conf.imports = ("portal.platform.background.tenancy",)  # each_municipality (not in an app's tasks module)


def database_queue() -> str:
    """The queue of the database this process is connected to."""
    from django.db import connection

    return f"portal.{connection.settings_dict['NAME']}"


def _route_to_database(name, args, kwargs, options, task=None, **extra):
    return {"queue": database_queue()}


app.conf.task_routes = (_route_to_database,)


def beat_schedule() -> dict:
    """What beat sends, and how often. Each entry fans out to one task per municipality schema."""
    from django.conf import settings

    every_municipality = "portal.background.each_municipality"
    return {
        "outbox-sweep": {"task": every_municipality, "schedule": 60.0,
                         "args": ["portal.outbox.sweep"]},
        "agreements-expire": {"task": every_municipality,
                              "schedule": float(settings.AGREEMENTS_EXPIRE_EVERY_SECONDS),
                              "args": ["portal.agreements.expire"]},
        "budgets-close-due": {"task": every_municipality, "schedule": float(settings.PERIOD_JOBS_EVERY_SECONDS),
                              "args": ["portal.budgets.close_due"]},
        "agreements-period-end": {"task": every_municipality,
                                  "schedule": float(settings.PERIOD_JOBS_EVERY_SECONDS),
                                  "args": ["portal.agreements.period_end"]},
        "people-retention": {"task": every_municipality, "schedule": 24 * 60 * 60.0,
                             "args": ["portal.people.retention"]},
        # Plan reviews due and budget alerts to the social worker (page and e-mail, by preference).
        "notifications-reminders": {"task": every_municipality, "schedule": 24 * 60 * 60.0,
                                    "args": ["portal.notifications.reminders"]},
        "payments-reconcile": {"task": every_municipality, "schedule": 24 * 60 * 60.0,
                               "args": ["portal.payments.reconcile"]},
        # Not per municipality: one full rebuild of the public statistics from every schema, then one publication.
        # Not per municipality: the national site's own audit rows (public schema) expire on the same terms.
        "national-audit-expiry": {"task": "portal.people.national_audit_expiry", "schedule": 24 * 60 * 60.0},
        "statistics-rebuild": {"task": "portal.statistics.rebuild",
                               "schedule": float(settings.STATISTICS_REBUILD_EVERY_SECONDS)},
    }


app.conf.beat_schedule = beat_schedule()
