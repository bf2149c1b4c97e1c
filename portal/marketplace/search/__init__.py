"""CatalogueSearch: PostgreSQL and Elasticsearch backends, the search documents."""
