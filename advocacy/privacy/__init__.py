"""Constituents' personal data: the email key, purging old data, and erasure on request."""
