"""Wiring, runners and the command line: the top floor, which may import every other."""
