"""Home, staff dashboard and health checks."""
