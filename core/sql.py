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
    return RawSQL(space_joined_sql(table, column, where), (), output_field=CharField())


def space_joined_sql(table: str, column: str, where: str) -> str:
    """The subquery of `space_joined`, as SQL text."""
    qn = connection.ops.quote_name
    if connection.vendor == "postgresql":
        joined = f"STRING_AGG(({qn(column)})::text, ' ')"
    else:
        joined = f"GROUP_CONCAT({qn(column)}, ' ')"
    return f"SELECT {joined} FROM {qn(table)} WHERE {where}"


def fields_of(model, *, only=None, leave_out=()) -> list:
    """The model's concrete fields to read, in the order `Model.from_db` expects them: those
    named in ``only`` (names or attnames; the primary key always), else all but ``leave_out``."""
    if only is None:
        return [f for f in model._meta.concrete_fields if f.name not in leave_out]
    return [f for f in model._meta.concrete_fields
            if f.primary_key or f.name in only or f.attname in only]


def columns_sql(models_and_fields) -> str:
    """The select list for ``models_and_fields`` ([(model, [field])]), each column qualified
    by its model's table, for `rows_to_instances`."""
    qn = connection.ops.quote_name
    return ", ".join(f"{qn(model._meta.db_table)}.{qn(f.column)}"
                     for model, fields in models_and_fields for f in fields)


def rows_to_instances(connection, models_and_fields, row) -> list:
    """Model instances (`Model.from_db`, the rest of their fields deferred) from one row that
    holds the columns of ``models_and_fields`` ([(model, [field])]) one model after another,
    with the database's and the fields' converters applied as the ORM applies them."""
    instances, start = [], 0
    for model, fields in models_and_fields:
        values = []
        for field, value in zip(fields, row[start:start + len(fields)], strict=True):
            column = field.get_col(model._meta.db_table)
            for convert in (connection.ops.get_db_converters(column)
                            + field.get_db_converters(connection)):
                value = convert(value, column, connection)
            values.append(value)
        instances.append(model.from_db(connection.alias, [f.attname for f in fields], values))
        start += len(fields)
    return instances


def split_joined(value: str | None) -> list[str]:
    return value.split(" ") if value else []


def one_row_as_instances(sql: str, params, models_and_fields) -> tuple[list, tuple] | None:
    """The first row of ``sql``: (its model instances, by `rows_to_instances`, and the columns
    after theirs), or None when there is none."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    width = sum(len(fields) for _, fields in models_and_fields)
    return rows_to_instances(connection, models_and_fields, row[:width]), row[width:]
