"""Casework: the detainee's private case facts (encrypted), case files, the casework packet and priority targets."""
