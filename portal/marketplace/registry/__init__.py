"""Cross-municipality records a provider needs: invoice numbering, its index of work."""
