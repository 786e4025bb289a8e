"""Deadlines and escalations: the sweep, the chain of levels, and escalations as people handle them."""
