"""Small SQL helpers the ORM has no portable (or cheap enough) spelling for."""

from django.db import connection
from django.db.models import CharField
from django.db.models.expressions import RawSQL


def space_joined(table: str, column: str, where: str) -> RawSQL:
    """An annotation: ``column`` of the rows of ``table`` matching ``where`` (SQL written by us,
    no parameters), joined by spaces, or NULL when there are none (PostgreSQL, SQLite).

    Raw SQL because an ORM ``Subquery`` with ``OuterRef`` costs more Python to build than the
    separate query it saves. For values without spaces (keys, ids); read with `split_joined`.
    """
    qn = connection.ops.quote_name
    if connection.vendor == "postgresql":
        joined = f"STRING_AGG(({qn(column)})::text, ' ')"
    else:
        joined = f"GROUP_CONCAT({qn(column)}, ' ')"
    return RawSQL(f"SELECT {joined} FROM {qn(table)} WHERE {where}", (),
                  output_field=CharField())


def split_joined(value: str | None) -> list[str]:
    return value.split(" ") if value else []
