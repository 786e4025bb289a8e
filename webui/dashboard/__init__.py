"""The signed-in user's home page and their in-app notifications."""
