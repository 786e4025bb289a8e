"""Published pathway versions, for SOP authors."""
