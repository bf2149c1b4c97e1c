"""Demo data, kept out of the production packages: one module per area, run in order by ``loader.load_demo``.

Nothing in ``portal`` imports this package except the ``portal demo`` command; it may import every area.
"""
