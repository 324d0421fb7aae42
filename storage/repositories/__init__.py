"""Queries, one module per aggregate; services call these instead of writing SQL."""
