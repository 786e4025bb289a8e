"""Delivery channels: email (SMTP), webhook; in-app notifications are rows the dispatcher writes."""
