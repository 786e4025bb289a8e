"""The mechanism-wide view: cases whose workflow needs someone's attention."""
