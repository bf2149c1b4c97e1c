"""Persons, the people around them, consents, assessments and support plans."""
