"""Campaigns: a detainee's case, its letter templates and its targets, for organizers and the public flow."""
