"""Pathways: load, validate and version referral SOP folders (BPMN, DMN, labels, scenarios)."""
