"""Bulk INSERT of plain rows: COPY on PostgreSQL, one executemany on SQLite.

    insert_rows(model, rows: list[dict], *, ignore_conflicts=False) -> set | None
    insert_objects(objects: list[Model], *, ignore_conflicts=False) -> set | None
    prepare_rows(model, rows) -> PreparedRows;  insert_prepared(prepared)   (the same, in two steps)
    build_objects(model, rows: list[dict], **shared) -> list[Model]   (unsaved, fast)
    fetch_objects(queryset) -> list[Model]                             (loaded, fast)

Both inserts return the primary keys of the rows written (None for auto-increment keys).

Why not `QuerySet.bulk_create`: it builds a model instance per row (defaults, signals-free but
still ~40 attribute sets), compiles a statement with a parameter per cell and has psycopg quote
every cell in Python; for the import's events (three per row, ~1 KB of JSON each) that was
four times the cost of a COPY of the same rows. Here each row is a dict {field name: value};
fields a row leaves out get the model's default (one `now` for auto_now fields, fresh ids
from `config.ids.new_ids` for CUID keys), so the rows are what `bulk_create` would have
written. No signals are sent (bulk_create sends none either).

`ignore_conflicts`: rows that would violate a unique constraint are skipped. PostgreSQL: one
COPY in a savepoint (the usual case: nothing conflicts), and only if it hits a unique
violation, a COPY into a temporary table then INSERT ... ON CONFLICT DO NOTHING RETURNING the
keys. SQLite: INSERT OR IGNORE, then a read of which keys are there.

JSON values are serialised with the field's encoder; a value that is already JSON text can be
passed as `JsonText` (the events reuse one serialised payload for several rows). COPY does
not pass through Django's cursor wrapper, so it is added to `connection.queries` by hand: the
tests that count statements per chunk still see it.
"""

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import connection, models, transaction
from django.db.models.base import ModelState
from django.utils import timezone

from config.ids import CuidField, new_ids


class JsonText(str):
    """A JSON document already serialised: inserted as is."""


def _json_converter(field: models.JSONField) -> Callable[[Any], Any]:
    encoder = field.encoder

    def convert(value):
        if value is None or isinstance(value, JsonText):
            return value
        return json.dumps(value, cls=encoder)

    return convert


def _converter(field: models.Field) -> Callable[[Any], Any] | None:
    """How a Python value becomes what the database driver takes (None: as it is)."""
    if isinstance(field, models.JSONField):
        return _json_converter(field)
    if connection.vendor == "postgresql":
        return None  # psycopg adapts str, int, float, bool, datetime, date, Decimal itself
    if isinstance(field, models.DateTimeField):
        return connection.ops.adapt_datetimefield_value
    if isinstance(field, models.DecimalField):
        return lambda value: connection.ops.adapt_decimalfield_value(
            value, field.max_digits, field.decimal_places
        )
    if isinstance(field, (models.CharField, models.TextField, models.IntegerField)):
        return None
    if isinstance(field, (models.BooleanField, models.FloatField, models.ForeignKey)):
        return None
    return lambda value: field.get_db_prep_save(value, connection)


def _defaults(fields: Sequence[models.Field], count: int) -> dict[str, list | Any]:
    """Per missing field: one value for every row, or (callable defaults) a list of values.
    auto_now stamps rise by a microsecond per row, as `save()` in a loop would give them, so
    that rows inserted together keep their order (a history read by `created_at`)."""
    now = timezone.now()
    out: dict[str, list | Any] = {}
    for field in fields:
        if isinstance(field, models.DateTimeField) and (field.auto_now or field.auto_now_add):
            out[field.attname] = [now + timedelta(microseconds=i) for i in range(count)]
        elif isinstance(field, CuidField):
            out[field.attname] = new_ids(count)
        elif field.has_default() and callable(field.default):
            out[field.attname] = [field.get_default() for _ in range(count)]
        else:
            out[field.attname] = field.get_default()
    return out


@dataclass
class PreparedRows:
    """Rows converted to the cells of their INSERT/COPY (`prepare_rows`), not yet written: the
    set-based lifecycle path converts a chunk's history rows while the chunk before it is being
    written, then writes those of the rows its UPDATE really moved (`only`)."""

    model: type[models.Model]
    columns: list[str]
    values: list[list]

    def only(self, keep: list[bool]) -> "PreparedRows":
        return PreparedRows(
            self.model, self.columns, [v for v, k in zip(self.values, keep, strict=True) if k]
        )


def prepare_rows(model: type[models.Model], rows: list[dict]) -> PreparedRows:
    """`rows` ({field name or attname: value}) as the cells `insert_rows` writes, defaults
    filled in (see the module docstring)."""
    meta = model._meta
    fields = [f for f in meta.concrete_fields if not isinstance(f, models.AutoField)]
    given = rows[0].keys() if rows else ()
    missing = [f for f in fields if f.attname not in given and f.name not in given]
    defaults = _defaults(missing, len(rows))
    columns, getters = [], []
    for field in fields:
        key = field.attname if field.attname in given else field.name
        convert = _converter(field)
        columns.append(field.column)
        if field.attname in defaults:
            default = defaults[field.attname]
            getters.append((None, default, convert))
        else:
            getters.append((key, None, convert))
    values = []
    for number, row in enumerate(rows):
        cells = []
        for key, default, convert in getters:
            if key is None:
                value = default[number] if isinstance(default, list) else default
            else:
                value = row[key]
            cells.append(convert(value) if convert is not None and value is not None else value)
        values.append(cells)
    return PreparedRows(model, columns, values)


def insert_prepared(prepared: PreparedRows) -> None:
    """Write rows `prepare_rows` converted (one COPY or executemany)."""
    if prepared.values:
        _write(prepared.model._meta.db_table, prepared.columns, prepared.values)


def insert_rows(model: type[models.Model], rows: list[dict], *, ignore_conflicts=False):
    """Insert `rows` ({field name or attname: value}) into `model`'s table; the primary keys
    written (a set; None when the key is an auto-increment)."""
    if not rows:
        return set()
    meta = model._meta
    prepared = prepare_rows(model, rows)
    columns, values = prepared.columns, prepared.values
    pk = meta.pk
    key = None if isinstance(pk, models.AutoField) else columns.index(pk.column)
    table = meta.db_table
    if not ignore_conflicts:
        _write(table, columns, values)
    elif connection.vendor != "postgresql":
        _write(table, columns, values, verb="INSERT OR IGNORE")
        if key is not None:
            given = [cells[key] for cells in values]
            return set(model._base_manager.filter(pk__in=given).values_list("pk", flat=True))
    else:
        try:
            with transaction.atomic():
                _write(table, columns, values)
        except connection.Database.IntegrityError:
            return _copy_skipping_conflicts(table, columns, values, key)
    return None if key is None else {cells[key] for cells in values}


def _write(table: str, columns: list[str], values: list[list], verb: str = "INSERT") -> None:
    """COPY (PostgreSQL) or one executemany."""
    quote = connection.ops.quote_name
    names = ", ".join(quote(c) for c in columns)
    if connection.vendor != "postgresql":
        sql = f"{verb} INTO {quote(table)} ({names}) VALUES ({', '.join(['%s'] * len(columns))})"
        with connection.cursor() as cursor:
            cursor.executemany(sql, values)
        return
    sql = f"COPY {quote(table)} ({names}) FROM STDIN"
    started = time.monotonic()
    with connection.cursor() as wrapper, wrapper.cursor.copy(sql) as copy:
        for cells in values:  # ^ psycopg's own cursor: Django's wrapper has no COPY
            copy.write_row(cells)
    _log(f"{sql} -- {len(values)} rows", started)


def _copy_skipping_conflicts(table, columns, values, key: int | None):
    """COPY into a temporary table of the given columns, then INSERT ... ON CONFLICT DO
    NOTHING from it: the keys it wrote."""
    quote = connection.ops.quote_name
    names = ", ".join(quote(c) for c in columns)
    staging = f"_bulk_{table}"
    returning = f" RETURNING {quote(columns[key])}" if key is not None else ""
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE {quote(staging)} AS SELECT {names} FROM {quote(table)} "
            "WITH NO DATA"
        )
        _write(staging, columns, values)
        cursor.execute(
            f"INSERT INTO {quote(table)} ({names}) SELECT {names} FROM {quote(staging)} "
            f"ON CONFLICT DO NOTHING{returning}"
        )
        written = {row[0] for row in cursor.fetchall()} if key is not None else None
        cursor.execute(f"DROP TABLE {quote(staging)}")
    return written


def _log(sql: str, started: float) -> None:
    if connection.queries_logged:
        spent = f"{time.monotonic() - started:.3f}"
        connection.queries_log.append({"sql": sql, "time": spent})


def insert_objects(objects: list[models.Model], *, ignore_conflicts=False) -> None:
    """`insert_rows` of model instances built in memory (every concrete field as it is set;
    auto_now fields stamped as `save()` would)."""
    if not objects:
        return set()
    fields = [f for f in objects[0]._meta.concrete_fields if not isinstance(f, models.AutoField)]
    stamped = [f for f in fields if getattr(f, "auto_now", 0) or getattr(f, "auto_now_add", 0)]
    names = [f.attname for f in fields]
    now = timezone.now()
    rows = []
    for number, obj in enumerate(objects):
        for field in stamped:  # rising, as `_defaults` explains
            setattr(obj, field.attname, now + timedelta(microseconds=number))
        rows.append({name: getattr(obj, name) for name in names})
    written = insert_rows(type(objects[0]), rows, ignore_conflicts=ignore_conflicts)
    for obj in objects:  # as bulk_create leaves them (a row skipped by a conflict too)
        obj._state.adding, obj._state.db = False, connection.alias
    return written


def build_objects(model: type[models.Model], rows: list[dict], **shared) -> list[models.Model]:
    """`model(**shared, **row)` for every row (unsaved instances), about ten times faster.

    Why: `Model.__init__` with keyword arguments walks every field, calls every default and
    runs each mixin's `__init__`: ~35 µs for an enrollment, a tenth of an imported row's
    Python. Here one instance is built the normal way from `shared` (so every default, the
    foreign keys given as objects and the mixins' own state are what `__init__` makes), and
    each row's instance starts as a copy of its attributes with the row's values on top:
    mutable values (lists, dicts) are copied per row, CUID keys come from one `new_ids`
    batch. `rows` hold attribute names (`customer_id`, not `customer`) and plain values,
    as `__init__` would store them.
    """
    template = model(**shared)
    base = dict(vars(template))
    base.pop("_state")
    cache = template._state.fields_cache
    mutable = [name for name, value in base.items() if isinstance(value, (list, dict))]
    attnames = {field.attname for field in model._meta.concrete_fields}
    unknown = set().union(*rows) - attnames  # every row's keys: none silently dropped
    if unknown:
        raise ValueError(f"build_objects takes attribute names; unknown: {sorted(unknown)}")
    pk = model._meta.pk
    ids = new_ids(len(rows)) if isinstance(pk, CuidField) else None
    objects = []
    for number, row in enumerate(rows):
        obj = model.__new__(model)
        state = obj.__dict__
        state.update(base)
        for name in mutable:
            state[name] = base[name].copy()
        state.update(row)
        if ids is not None and pk.attname not in row:
            state[pk.attname] = ids[number]
        obj._state = ModelState()
        obj._state.fields_cache = dict(cache)
        objects.append(obj)
    return objects


def fetch_objects(queryset: models.QuerySet) -> list[models.Model]:
    """`list(queryset)` for a plain queryset (no select_related, deferred fields or
    annotations), about five times faster: the bulk paths read 10,000 rows per run.

    Why: `Model.from_db` calls `__init__` per row, which walks every field and runs each
    mixin's `__init__` (~35 µs for an enrollment). Here the values come from the same query
    (`values_list` of every concrete column, through the fields' converters, so JSON and
    decimals are what a model instance holds), the first row is built by `from_db` (the real
    way, so every mixin's state is there) and every other row starts as a copy of its
    attributes with the row's own values on top. django-fsm's `ConcurrentTransitionMixin`
    remembers each row's loaded status (`_update_initial_state`, what its `refresh_from_db`
    calls), so a later `save()` of one of these rows is still guarded.
    """
    model = queryset.model
    names = [field.attname for field in model._meta.concrete_fields]
    rows = list(queryset.values_list(*names))
    if not rows:
        return []
    database = queryset.db  # the router's answer, once (it is asked on every read of .db)
    template = model.from_db(database, names, rows[0])
    base = dict(vars(template))
    base.pop("_state")
    refresh = getattr(model, "_update_initial_state", None)
    objects = [template]
    for values in rows[1:]:
        obj = model.__new__(model)
        state = obj.__dict__
        state.update(base)
        state.update(zip(names, values, strict=True))
        obj._state = ModelState()
        obj._state.adding = False
        obj._state.db = database
        if refresh is not None:
            refresh(obj)
        objects.append(obj)
    return objects
