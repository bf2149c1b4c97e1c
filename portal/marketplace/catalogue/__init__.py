"""Providers, the service taxonomy and service offerings (public schema)."""
