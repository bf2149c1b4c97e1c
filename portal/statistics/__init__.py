"""Cross-municipality statistics for the ministry: rollups in the public schema, small-cell suppression,
the dashboard's and the open-data API's reads. No personal data leaves a municipality's schema."""
