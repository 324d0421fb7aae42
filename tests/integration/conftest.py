"""Fixtures the integration tests share."""

from tests.kit.cli import cli_env

__all__ = ["cli_env"]
