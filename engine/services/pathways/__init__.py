"""Pathways as the services use them: publishing versions, uploads, labels, persisted scenarios."""
