"""Constituent actions and the letters they send to each office."""
