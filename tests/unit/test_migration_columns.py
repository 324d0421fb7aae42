"""The column blocks the revision scripts are written in build the columns they name."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from storage.base import UTCDateTime
from storage.migrations.columns import columns


def test_a_block_builds_its_columns_in_order() -> None:
    made = columns(
        """
        name      str(200)
        parent_id int?
        seen_at   datetime
        """
    )
    assert [(c.name, c.nullable) for c in made] == [
        ("name", False),
        ("parent_id", True),
        ("seen_at", False),
    ]
    assert isinstance(made[0].type, sa.String) and made[0].type.length == 200
    assert isinstance(made[1].type, sa.Integer)
    assert isinstance(made[2].type, UTCDateTime)


@pytest.mark.parametrize("line", ["name", "name varchar", "name str(x)", "name int null"])
def test_a_line_that_is_not_a_column_is_refused(line: str) -> None:
    with pytest.raises(ValueError, match="not a column"):
        columns(line)
