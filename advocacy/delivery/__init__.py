"""Letter delivery: the outbox, its channels (CWC, email, contact-form handoff), workers and dashboard."""
