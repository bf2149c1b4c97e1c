"""Agreements between a person and a provider, within the budget."""
