"""Demo data for ledger."""


def load(municipality, out):
    """Nothing yet."""
