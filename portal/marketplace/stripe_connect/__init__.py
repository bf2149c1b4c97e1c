"""Stripe Connect: providers' connected accounts, transfers to them, co-payment checkout, the webhook inbox.

Public schema: a provider connects once for every municipality. What concerns a municipality (a
payment, a co-payment) is written in that municipality's schema, named in the Stripe object's
metadata. See docs/subsystems/stripe.md.
"""
