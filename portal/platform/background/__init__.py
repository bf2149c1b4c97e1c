"""Background work: the Celery app on Valkey, tasks that run per municipality schema, the beat schedule.

See docs/subsystems/background.md. Tasks are defined with ``app.task`` from ``.app`` (never
``shared_task``, which would fall back to a default app on amqp://localhost in a process that has not
imported ours) and, when they touch a municipality's data, with ``tenancy.tenant_task``.
"""
