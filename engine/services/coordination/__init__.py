"""Coordination and monitoring: the mechanism's indicators, the live diagram, attention lists, reports."""
