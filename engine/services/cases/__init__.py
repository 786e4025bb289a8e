"""Cases: opening, listing, the one step that moves a case, what its page shows, consent."""
