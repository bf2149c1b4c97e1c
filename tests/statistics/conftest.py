import pytest

from portal.statistics.services import statistics_rebuild


@pytest.fixture
def cube(db):
    """The statistics rebuilt from the two test municipalities (inside the test's transaction)."""
    statistics_rebuild()
