"""Sign-in, sign-out and password pages (Django's views with the portal's forms)."""
