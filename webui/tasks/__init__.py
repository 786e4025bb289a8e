"""The task inbox: what waits for the user and their groups; claiming and releasing."""
