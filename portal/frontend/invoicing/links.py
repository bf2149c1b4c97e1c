"""Dashboard links this area adds, per role: {Role: [(label, url name)]}."""

LINKS: dict = {}
