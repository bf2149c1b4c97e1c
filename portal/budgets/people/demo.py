"""Demo data for people."""


def load(municipality, out):
    """Nothing yet."""
