"""Human tasks: completing, claiming and handing on, their forms, and inboxes."""
