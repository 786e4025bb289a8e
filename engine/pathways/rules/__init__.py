"""The checks a pathway must pass, one module per family; each returns a list of Problems."""
