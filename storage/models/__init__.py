"""All tables; importing this package fills `Base.metadata` (Alembic and tests rely on it)."""

from storage.models.audit import AuditLog
from storage.models.fsm import FsmRecord
from storage.models.invitation import Invitation
from storage.models.org import Person, Post, RoleAssignment, Unit

__all__ = [
    "AuditLog",
    "FsmRecord",
    "Invitation",
    "Person",
    "Post",
    "RoleAssignment",
    "Unit",
]
