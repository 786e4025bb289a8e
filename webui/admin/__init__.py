"""Managing the users of the administrator's organisation."""
