"""Services: every write goes through here, checks authority and writes the audit trail."""
