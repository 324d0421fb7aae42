"""The register in files: 廉政风险点登记表 out (CSV / XLSX), powers and risk points in.

The export has one row per control measure (a risk without measures has one row with the
measure columns empty), in the standard form's columns — 单位, 岗位, 职权, 风险点描述, 风险类型,
风险等级, 防控措施, 责任人, 完成时限, 状态 — with the suggested level (建议等级) beside the
approved one, followed by the columns a re-import needs to rebuild the record exactly (the five
factors, focus programme, measure status).

Imports check every row first and write nothing when any row is bad (as the
organisation import does), stopping at the 50th problem; rows of one risk point are
consecutive rows with the same unit, post, power and description. `export powers` and
`import categories` let a unit's own power categories be configured and checked from files.
"""

from bot.services.register_files.columns import (
    CATEGORY_HEADER_ZH,
    LEVEL_NAMES,
    MEASURE_STATUS_NAMES,
    POWER_COLUMNS,
    POWER_HEADER_ZH,
    POWER_STATUS_NAMES,
    REGISTER_HEADER_ZH,
    RISK_COLUMNS,
    RISK_TYPE_NAMES,
    SCOPE_ALIASES,
    SCOPE_NAMES,
    STANDARD_FORM_ZH,
    STATUS_ALIASES,
    state_name,
)
from bot.services.register_files.export import export_powers, export_register, register_rows
from bot.services.register_files.imports import FileReport, import_categories, import_powers
from bot.services.register_files.risk_import import import_risks

__all__ = [
    "CATEGORY_HEADER_ZH",
    "LEVEL_NAMES",
    "MEASURE_STATUS_NAMES",
    "POWER_COLUMNS",
    "POWER_HEADER_ZH",
    "POWER_STATUS_NAMES",
    "REGISTER_HEADER_ZH",
    "RISK_COLUMNS",
    "RISK_TYPE_NAMES",
    "SCOPE_ALIASES",
    "SCOPE_NAMES",
    "STANDARD_FORM_ZH",
    "STATUS_ALIASES",
    "FileReport",
    "export_powers",
    "export_register",
    "import_categories",
    "import_powers",
    "import_risks",
    "register_rows",
    "state_name",
]
