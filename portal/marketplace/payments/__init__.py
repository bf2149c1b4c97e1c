"""Paying providers: one payment per approved invoice, its rails (bank file, Stripe), batches, statements."""
