"""Staff reports: the campaign dashboard, contact/office/statement exports, delivery packets, the audit log."""
