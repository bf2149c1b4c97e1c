"""Scheduled people work (beat runs it per municipality: portal/platform/background/app.py)."""

from __future__ import annotations

from portal.platform.background.tenancy import tenant_task

from .retention import persons_anonymise_expired


@tenant_task("portal.people.retention")
def retention() -> int:
    """Anonymise the persons whose file has expired, in one municipality."""
    return persons_anonymise_expired()
