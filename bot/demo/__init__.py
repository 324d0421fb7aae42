"""The demo organisation (`organisation.py`) and the seed-shaped data set (`seed_scale.py`)."""

from bot.demo.organisation import DEMO_DIR, PERSONAS, DemoPersona, seed_demo

__all__ = ["DEMO_DIR", "PERSONAS", "DemoPersona", "seed_demo"]
