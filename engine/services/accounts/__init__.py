"""Accounts and organisations: creating, administering, who is acting, their notifications."""
