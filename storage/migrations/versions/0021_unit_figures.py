"""unit_figures: each unit's own overview figures, kept exact by a log the register's triggers write"""

from alembic import op

from storage.migrations.columns import create, drop, ix, table

revision: str = "0021"
down_revision: str | None = "0020"

FIGURES = table(
    "unit_figures",
    """
        unit_id     int
        figures     text
        valid_from  date?
        valid_until date?
    """,
    key=("unit_id",),
)
DIRTY = table("unit_figures_dirty", "unit_id int", indexes=[ix("unit_id")])

# PostgreSQL: per table the overview counts, the units a set of its rows (`r`) belongs to.
# Powers count under their own unit and, for "posts with powers", under their post's. Each
# row's unit is looked up by its parent's key (a subquery a row: index probes, never a scan
# of the parent table, which the planner could choose for a transition table it has no
# statistics of).
UNITS_OF = {
    "posts": "SELECT r.unit_id FROM {rows} r",
    "powers": "SELECT r.unit_id FROM {rows} r UNION SELECT"
    " (SELECT p.unit_id FROM posts p WHERE p.id = r.post_id) AS unit_id FROM {rows} r",
    "risk_points": "SELECT (SELECT p.unit_id FROM posts p WHERE p.id = r.post_id) AS unit_id"
    " FROM {rows} r",
    "control_measures": "SELECT (SELECT p.unit_id FROM risk_points k JOIN posts p"
    " ON p.id = k.post_id WHERE k.id = r.risk_id) AS unit_id FROM {rows} r",
    "measure_reports": "SELECT (SELECT p.unit_id FROM control_measures m"
    " JOIN risk_points k ON k.id = m.risk_id JOIN posts p ON p.id = k.post_id"
    " WHERE m.id = r.measure_id) AS unit_id FROM {rows} r",
}
# The columns of each table the lookups above read.
COLUMNS = {
    "posts": ("unit_id",),
    "powers": ("unit_id", "post_id"),
    "risk_points": ("post_id",),
    "control_measures": ("risk_id",),
    "measure_reports": ("measure_id",),
}
EVENTS = {"INSERT": ("NEW",), "UPDATE": ("NEW", "OLD"), "DELETE": ("OLD",)}


def _name(table_name: str, event: str) -> str:
    return f"trg_{table_name}_unit_figures_{event.lower()}"


# SQLite: per table, the unit(s) of one row (`{row}`: NEW or OLD), each a statement.
ROW_UNITS = {
    "posts": ("SELECT {row}.unit_id AS unit_id",),
    "powers": (
        "SELECT {row}.unit_id AS unit_id",
        "SELECT unit_id FROM posts WHERE id = {row}.post_id",
    ),
    "risk_points": ("SELECT unit_id FROM posts WHERE id = {row}.post_id",),
    "control_measures": (
        "SELECT p.unit_id FROM risk_points k JOIN posts p ON p.id = k.post_id"
        " WHERE k.id = {row}.risk_id",
    ),
    "measure_reports": (
        "SELECT p.unit_id FROM control_measures m JOIN risk_points k ON k.id = m.risk_id"
        " JOIN posts p ON p.id = k.post_id WHERE m.id = {row}.measure_id",
    ),
}


def _sqlite_triggers() -> list[str]:
    """SQLite: a row trigger; each row touched logs its unit(s), unless logged already (the
    one writer at a time makes that safe: a refresh takes the log rows and counts with the
    write lock held, so a unit found logged is counted after this write commits)."""
    out = []
    for table_name, lookups in ROW_UNITS.items():
        for event, sides in EVENTS.items():
            body = "".join(
                "INSERT INTO unit_figures_dirty (unit_id) SELECT unit_id FROM ("
                + lookup.format(row=side)
                + ") u WHERE unit_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM"
                " unit_figures_dirty d WHERE d.unit_id = u.unit_id); "
                for side in sides
                for lookup in lookups
            )
            out.append(
                f"CREATE TRIGGER {_name(table_name, event)} AFTER {event} ON {table_name} "
                f"BEGIN {body}END"
            )
    return out


def _postgres_triggers() -> list[str]:
    """PostgreSQL: a statement trigger over the statement's rows (transition tables), so a
    bulk insert logs each unit once, not once a row. Never skipped when a unit is logged
    already: a refresh may be taking that log row while this write is not yet committed."""
    out = []
    for table_name, lookup in UNITS_OF.items():
        for event, sides in EVENTS.items():
            name = _name(table_name, event)
            rows = " UNION ALL ".join(
                f"SELECT {', '.join(COLUMNS[table_name])} FROM {side.lower()}_rows"
                for side in sides
            )
            units = lookup.format(rows=f"({rows})")
            out.append(
                f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                f"INSERT INTO unit_figures_dirty (unit_id) SELECT DISTINCT unit_id FROM "
                f"({units}) u WHERE unit_id IS NOT NULL; RETURN NULL; END $$"
            )
            referencing = " ".join(f"{side} TABLE AS {side.lower()}_rows" for side in sides)
            out.append(
                f"CREATE TRIGGER {name} AFTER {event} ON {table_name} REFERENCING "
                f"{referencing} FOR EACH STATEMENT EXECUTE FUNCTION {name}()"
            )
    return out


def upgrade() -> None:
    create(FIGURES, DIRTY)
    postgres = op.get_bind().dialect.name == "postgresql"
    for statement in _postgres_triggers() if postgres else _sqlite_triggers():
        op.execute(statement)
    # Nothing counted yet: every unit is to be counted.
    op.execute("INSERT INTO unit_figures_dirty (unit_id) SELECT id FROM units")


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    for table_name in UNITS_OF:
        for event in EVENTS:
            op.execute(
                f"DROP TRIGGER {_name(table_name, event)} ON {table_name}"
                if postgres
                else f"DROP TRIGGER {_name(table_name, event)}"
            )
            if postgres:
                op.execute(f"DROP FUNCTION {_name(table_name, event)}()")
    drop(FIGURES, DIRTY)
