"""The commission's flows; the parent router admits admins only."""
