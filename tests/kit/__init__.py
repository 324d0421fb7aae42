"""Test kits: the mocked bot for dispatcher tests, personas for the sandbox."""
