"""Aiguillage engine: the core of the referral workflow engine (no web, mail or scheduler inside)."""
