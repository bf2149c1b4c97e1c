"""A municipality's approval of providers and services, and its price caps."""
