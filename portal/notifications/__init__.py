"""Notifications: each user's to-do list (computed from the data), the notification centre fed from the
outbox, and the live push of new notifications over the channel layer. See docs/subsystems/notifications.md."""
