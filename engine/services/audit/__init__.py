"""The audit log's tamper evidence: sealing rows into a hash chain, and verifying it."""
