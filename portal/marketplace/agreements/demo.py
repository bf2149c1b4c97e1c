"""Demo data for agreements."""


def load(municipality, out):
    """Nothing yet."""
