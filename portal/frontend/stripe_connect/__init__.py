"""Stripe Connect pages: a provider connects its account; the platform balance; co-payment by card."""
