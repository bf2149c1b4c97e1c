"""Demo data for search."""


def load_public(out):
    """Nothing yet."""
