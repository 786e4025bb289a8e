"""Notifications: the outbox dispatcher, recipient rules, channels and templates."""
