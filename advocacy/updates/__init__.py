"""Updates to supporters: an organizer's news about the case, emailed through the outbox and shown publicly."""
