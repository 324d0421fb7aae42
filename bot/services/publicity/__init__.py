"""Publicity rounds (社会公示): rounds, the public channel, subscribers, citizens' cards."""
