"""Demo data for registry."""


def load_public(out):
    """Nothing yet."""
