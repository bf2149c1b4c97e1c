"""Messages: one conversation per agreement between the family, the provider and the municipality's staff,
kept in the municipality's schema (a tenant app)."""
