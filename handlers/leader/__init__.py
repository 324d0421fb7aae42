"""Screens for leaders (and reviewers and the commission, within their scope)."""
