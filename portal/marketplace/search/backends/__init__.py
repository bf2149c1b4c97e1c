"""Search backends behind the one ``CatalogueSearch`` interface."""
