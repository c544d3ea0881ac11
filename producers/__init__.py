"""Producers: poll RSS/Atom and search feeds and publish each new entry once to the discovered topic."""
