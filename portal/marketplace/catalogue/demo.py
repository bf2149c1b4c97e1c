"""Demo data for catalogue."""


def load_public(out):
    """Nothing yet."""
