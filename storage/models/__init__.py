"""All tables; importing this package fills `Base.metadata` (Alembic and tests rely on it)."""

from storage.models.assessment import Assessment, AssessmentResult
from storage.models.audit import AuditLog
from storage.models.broadcast import BroadcastProgress
from storage.models.campaign import Campaign, CampaignUnit
from storage.models.digest import DigestSubscription, OutboxFile
from storage.models.feedback import Feedback, FeedbackLookupMiss, FeedbackSender
from storage.models.fsm import FsmRecord
from storage.models.idempotency import IdempotencyKey
from storage.models.invitation import Invitation
from storage.models.org import Person, Post, RoleAssignment, Unit
from storage.models.outbox import OutboxMessage, OutboxStatus
from storage.models.processed_update import ProcessedUpdate
from storage.models.publicity import (
    PublicityItem,
    PublicityPost,
    PublicityRound,
    PublicitySubscription,
)
from storage.models.register import (
    ControlMeasure,
    FocusProgramme,
    MeasureReport,
    Power,
    PowerCategory,
    RiskPoint,
    Rule,
)
from storage.models.review import ReviewNote, RiskReview
from storage.models.schedule import JobState
from storage.models.unit_figures import UnitFigures, UnitFiguresDirty

__all__ = [
    "Assessment",
    "AssessmentResult",
    "AuditLog",
    "BroadcastProgress",
    "Campaign",
    "CampaignUnit",
    "ControlMeasure",
    "DigestSubscription",
    "Feedback",
    "FeedbackLookupMiss",
    "FeedbackSender",
    "FocusProgramme",
    "FsmRecord",
    "IdempotencyKey",
    "Invitation",
    "JobState",
    "MeasureReport",
    "OutboxFile",
    "OutboxMessage",
    "OutboxStatus",
    "Person",
    "Post",
    "Power",
    "PowerCategory",
    "ProcessedUpdate",
    "PublicityItem",
    "PublicityPost",
    "PublicityRound",
    "PublicitySubscription",
    "ReviewNote",
    "RiskPoint",
    "RiskReview",
    "RoleAssignment",
    "Rule",
    "Unit",
    "UnitFigures",
    "UnitFiguresDirty",
]
