"""The shared invoicing world (an active agreement between the adult and a test provider) for notifications."""

from tests.invoicing.conftest import agreement, world  # noqa: F401 - fixtures

import portal.notifications.tasks  # noqa: E402,F401 - registers the outbox handlers, as the worker's autodiscovery does
