"""Fixtures for agreements: the test world (tests/factories.py) of municipality A."""

from __future__ import annotations

import pytest

from tests.factories import World, build_world


@pytest.fixture
def world(muni_a) -> World:
    return build_world(muni_a)
