"""Scheduled work: periodic jobs are idempotent scans over database state.

APScheduler is only the metronome (a tick every minute, and one at start-up); whether a job is
due is decided from its last run kept in the database, so missed runs are made up once after
downtime (coalesced), and tests drive `JobRunner.tick()` with a fake clock instead of sleeping.
"""
