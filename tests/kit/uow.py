"""The unit of work for tests that call services directly: services only flush, so a test
commits as the update middleware and the job runner do (once, at the end of the block; an
exception rolls the block back)."""

from storage.db import unit_of_work

__all__ = ["unit_of_work"]
