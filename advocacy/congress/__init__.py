"""Congress data: members, district offices, committees, the ZIP crosswalk, and representative lookup."""
