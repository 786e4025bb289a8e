"""The installation itself: the training clock of a demo installation."""
