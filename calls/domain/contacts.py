"""Keep me informed: contacts, double opt-in, the one notice per open call."""
