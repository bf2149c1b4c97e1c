"""Demo data for approvals."""


def load(municipality, out):
    """Nothing yet."""
