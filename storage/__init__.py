"""Persistence: SQLAlchemy 2 async models, repositories, the FSM storage and migrations."""
