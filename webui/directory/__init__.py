"""The service directory: organisations of the mechanism and the services they offer."""
