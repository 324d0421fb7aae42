"""The register form's columns and the names its cells use (Chinese, the catalog's words)."""

from __future__ import annotations

from typing import Any

from bot.domain.risk_workflow import RiskState
from bot.i18n import translate

# The form's columns (zh header, en header), in order, then the extra ones.
# The standard form (登记表) as people fill it in on paper: what an import needs at least.
STANDARD_FORM_ZH = (
    "单位", "岗位", "职权", "风险点描述", "风险类型", "风险等级", "防控措施", "责任人",
    "完成时限", "状态",
)  # fmt: skip
REGISTER_HEADER_ZH = (
    "单位", "岗位", "职权", "风险点描述", "风险类型", "风险等级", "建议等级", "评审等级",
    "防控措施", "责任人", "完成时限", "状态", "重点项目", "权力重要程度", "自由裁量权",
    "社会关注度", "发生概率", "危害程度", "措施状态", "定级理由",
)  # fmt: skip
# `export powers`: what `import powers` reads back.
POWER_HEADER_ZH = (
    "单位", "岗位", "职权名称", "职权内容", "行使主体", "法律依据", "类别", "范围", "状态",
)  # fmt: skip
# `import categories`: a unit's own power categories, one row each.
CATEGORY_HEADER_ZH = ("单位", "范围", "类别")
RISK_COLUMNS: dict[str, tuple[str, ...]] = {
    "unit": ("单位", "unit"),
    "post": ("岗位", "post"),
    "power": ("职权", "power"),
    "description": ("风险点描述", "风险表现", "description"),
    "risk_type": ("风险类型", "risk type", "type"),
    "level": ("风险等级", "审定等级", "level"),
    "suggested": ("建议等级", "suggested level"),
    # Export only (the graded-review tier's level, awaiting 组织审定 until 风险等级 is set).
    "reviewed": ("评审等级", "reviewed level"),
    "measure": ("防控措施", "measure"),
    "responsible": ("责任人", "责任主体", "responsible"),
    "deadline": ("完成时限", "deadline"),
    "status": ("状态", "status"),
    "focus": ("重点项目", "focus programme"),
    "importance": ("权力重要程度", "importance"),
    "discretion": ("自由裁量权", "discretion"),
    "public": ("社会关注度", "public"),
    "likelihood": ("发生概率", "likelihood"),
    "harm": ("危害程度", "harm"),
    "measure_status": ("措施状态", "measure status"),
    # Why the approved level (风险等级) differs from the rule's suggestion: without it, a
    # level other than the suggestion is refused, as in the bot's 组织审定.
    "reason": ("定级理由", "等级理由", "level reason"),
}
CATEGORY_COLUMNS: dict[str, tuple[str, ...]] = {
    "unit": ("单位", "unit"),
    "scope": ("范围", "行使范围", "scope"),
    "category": ("类别", "职权类别", "category"),
}
POWER_COLUMNS: dict[str, tuple[str, ...]] = {
    "unit": ("单位", "unit"),
    "post": ("岗位", "post"),
    "name": ("职权名称", "职权", "name"),
    "content": ("职权内容", "内容", "content"),
    "subject": ("行使主体", "subject"),
    "legal_basis": ("法律依据", "legal basis"),
    "category": ("类别", "职权类别", "category"),
    "scope": ("范围", "行使范围", "scope"),
    "status": ("状态", "status"),
}
RISK_TYPE_NAMES = {"moral": "思想道德", "duty": "岗位职责", "system": "制度机制",
                   "external": "外部环境", "process": "业务流程"}  # fmt: skip
LEVEL_NAMES = {1: "一级", 2: "二级", 3: "三级"}
SCOPE_NAMES = {"external": "对外", "internal": "对内"}
SCOPE_ALIASES = {"对外": "external", "对外行使": "external", "external": "external",
                 "对内": "internal", "内部管理": "internal", "internal": "internal"}  # fmt: skip
POWER_STATUS_NAMES = {"submitted": "已提交", "confirmed": "已确认", "returned": "已退回",
                      "withdrawn": "已撤回"}  # fmt: skip
MEASURE_STATUS_NAMES = {"planned": "计划", "in_progress": "进行中", "done": "已完成",
                        "blocked": "受阻"}  # fmt: skip


# Words people write in a paper register for the states.
STATUS_ALIASES = {
    "已提交": "submitted",
    "草稿": "draft",
    "已审定": "approved",
    "已公示": "publicised",
}


# Each state's catalog key (the form shows the state in the catalog's words).
STATE_KEYS: dict[RiskState, str] = {
    RiskState.DRAFT: "workflow.state.draft",
    RiskState.PROPOSED: "workflow.state.proposed",
    RiskState.DISPUTED: "workflow.state.disputed",
    RiskState.SUBMITTED: "workflow.state.submitted",
    RiskState.SOCIAL_REVIEW: "workflow.state.social_review",
    RiskState.GRADED_REVIEW: "workflow.state.graded_review",
    RiskState.ORG_APPROVAL: "workflow.state.org_approval",
    RiskState.COLLECTIVE_DISCUSSION: "workflow.state.collective_discussion",
    RiskState.SELF_REVIEW: "workflow.state.self_review",
    RiskState.STANDING_COMMITTEE: "workflow.state.standing_committee",
    RiskState.APPROVED: "workflow.state.approved",
    RiskState.PUBLICISED: "workflow.state.publicised",
    RiskState.REGRADING_DUE: "workflow.state.regrading_due",
    RiskState.RETURNED: "workflow.state.returned",
    RiskState.WITHDRAWN: "workflow.state.withdrawn",
}


def state_name(status: str) -> str:
    """The state as the form shows it (Chinese, the catalog's words)."""
    return translate(STATE_KEYS[RiskState(status)], "zh")


def _reverse(names: dict[Any, str]) -> dict[str, Any]:
    return {name: key for key, name in names.items()} | {str(key): key for key in names}
