"""Demo data for invoicing."""


def load(municipality, out):
    """Nothing yet."""
