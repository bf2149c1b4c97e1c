"""Delivered sessions, invoices and their approval."""
