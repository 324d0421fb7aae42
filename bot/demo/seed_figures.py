"""The seed report's figures for one district, and the shape of the generated register."""

from __future__ import annotations

from bot.domain.register_rules import DEFAULT_FOCUS_PROGRAMMES
from bot.domain.risk_workflow import RiskState

# The seed's figures for one district.
POWERS_EXTERNAL, POWERS_INTERNAL = 1232, 193
RISKS_BY_LEVEL = {1: 683, 2: 937, 3: 731}
LEADERSHIP_RISKS, LEADERSHIP_MEASURES = 50, 75
ORDINARY_MEASURES = 2525  # 2,301 ordinary risk points, 224 of them with a second measure
# The six programmes offered by default, then the district's own.
FOCUS_PROGRAMMES = (
    *DEFAULT_FOCUS_PROGRAMMES,
    "农机购置补贴",
    "良种补贴",
    "危房改造",
    "新农保",
    "生态补偿",
    "农资综合补贴",
)
FOCUS_RISKS = 160
BUREAUS = (
    ("卫生局", True),
    ("教育局", True),
    ("财政局", True),
    ("公安分局", False),
    ("民政局", False),
    ("农业农村局", False),
    ("自然资源局", False),
    ("住建局", False),
    ("市场监管局", False),
    ("人社局", False),
    ("交通运输局", False),
    ("生态环境局", False),
)
DEPARTMENTS = ("综合科", "业务科")
ORDINARY_POSTS = ("科长", "审批岗", "执法岗", "财务岗")
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂"
# Where the risk points stand (shares of the ordinary ones; the rest publicised).
STATE_MIX = (
    (RiskState.RETURNED, 0.04),  # declared, back with the holder (a submitted one moves on)
    (RiskState.GRADED_REVIEW, 0.05),
    (RiskState.ORG_APPROVAL, 0.03),
    (RiskState.APPROVED, 0.10),
)
# Equal factors give a score equal to them: 4 → 一级, 3 → 二级, 2 → 三级 (the default
# thresholds), so a re-grading scan would suggest the same level again.
FACTORS = ("importance", "discretion", "public", "likelihood", "harm")
FACTOR_FOR_LEVEL = {1: 4, 2: 3, 3: 2}
PERSON_TELEGRAM_BASE = 7_000_000_000  # far from real accounts and the demo personas
