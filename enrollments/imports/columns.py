"""Matching a file's column headers to the enrollment's fields.

A header matches by its letters and digits alone, lower-cased: `firstName`, `first_name` and
"First name" are all `firstname`. `meta.<key>` columns go into the enrollment's metadata under
`<key>`; a column that matches nothing goes into metadata under its header (and the import
says which). The person can override any match (`mapping`: header → field, `meta` or `ignore`).
"""

import re

from enrollments.inputs.field import ADDRESS
from enrollments.inputs.spec import BY_API_NAME, BY_NAME
from enrollments.inputs.spec import FIELDS as INPUT_FIELDS

META, IGNORE = "meta", "ignore"


def _key(header: str) -> str:
    return re.sub(r"[^0-9a-z]", "", (header or "").lower())


# field (API name) -> (words for people, header spellings after `_key()`), from the input spec:
# a column is matched by the field's API name, its label or one of its aliases.
FIELDS: dict[str, tuple[str, tuple[str, ...]]] = {
    spec.api_name: (spec.label, (_key(spec.api_name), _key(str(spec.label)), *spec.aliases))
    for spec in INPUT_FIELDS
    if spec.kind != "object"  # metadata comes from `meta.<key>` and unmatched columns
}
LABELS = {name: label for name, (label, _) in FIELDS.items()}
_BY_KEY = {key: name for name, (_, keys) in reversed(FIELDS.items()) for key in keys}
LIST_FIELDS = tuple(spec.api_name for spec in INPUT_FIELDS if spec.is_list)
ADDRESS_FIELDS = tuple(spec.api_name for spec in INPUT_FIELDS if spec.group == ADDRESS)


def errors_in_words(errors: list[dict]) -> str:
    """A report row's errors as one line for people: "ZIP code: Enter a 5-digit ZIP code...".
    The dashboard, the admin and the command line show them so."""
    return "; ".join(
        f"{LABELS.get(error.get('field', ''), error.get('field') or 'Row')}: "
        f"{error.get('message', '')}"
        for error in errors
    )


def match_columns(header: list[str], overrides: dict | None = None) -> dict[str, str]:
    """header → field name, `meta.<key>` or `ignore`. A field is matched once (the first
    column that names it); a later column naming it again goes into metadata."""
    overrides = overrides or {}
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    for column in header:
        if not column or column in mapping:
            continue  # a column without a header (or a repeated one) is left out
        chosen = overrides.get(column)
        if chosen == IGNORE:
            mapping[column] = IGNORE
            continue
        if chosen in FIELDS and chosen not in taken:
            field = chosen
        elif chosen == META or column.lower().startswith("meta."):
            field = None
        else:
            field = _BY_KEY.get(_key(column))
            field = field if field not in taken else None
        if field:
            mapping[column] = field
            taken.add(field)
        else:
            key = column[5:] if column.lower().startswith("meta.") else column
            mapping[column] = f"meta.{key.strip()}"
    return mapping


def metadata_columns(mapping: dict[str, str]) -> list[str]:
    """Columns that were not matched to a field (`meta.*` ones aside): say which, so that a
    misspelt header is noticed."""
    return [
        column
        for column, target in mapping.items()
        if target.startswith("meta.") and not column.lower().startswith("meta.")
    ]


def _split(value: str) -> list[str]:
    return [part.strip() for part in re.split(r"[,;|]", value) if part.strip()]


def body_of(header: list[str], cells: list[str], mapping: dict[str, str]) -> dict:
    """One row as the body of the API's enrollment create (identificationType customerInfo).
    Blank cells are left out: on a matched enrollment they change nothing."""
    body: dict = {"identificationType": "customerInfo"}
    address: dict = {}
    metadata: dict = {}
    for column, value in zip(header, cells, strict=False):
        target = mapping.get(column, IGNORE)
        if target == IGNORE or value in ("", None):
            continue
        if target.startswith("meta."):
            metadata[target[5:]] = value
        elif target in ADDRESS_FIELDS:
            address[target] = value
        elif target in LIST_FIELDS:
            body[target] = _split(value)
        else:
            body[target] = value
    if address:
        body["address"] = address
    if metadata:
        body["metadata"] = metadata
    return body


def domain_data(body: dict) -> dict:
    """A row's body (the API's names: `address` and `metadata`/`meta` objects) under the
    domain's names, as `clean_input` reads it."""
    data: dict = {}
    for key, value in body.items():
        if key == "address" and isinstance(value, dict):
            data.update(
                (BY_API_NAME[part].name, text)
                for part, text in value.items()
                if part in BY_API_NAME
            )
        elif key in ("metadata", "meta"):
            data["metadata"] = value
        elif key in BY_API_NAME:
            data[BY_API_NAME[key].name] = value
    return data


def report_errors(details: dict) -> list[dict]:
    """Domain error details as the report's [{field, message}], fields under the API's names
    (the import's columns are the API's fields)."""
    return [
        {"field": BY_NAME[name].api_name if name in BY_NAME else name, "message": str(message)}
        for name, messages in details.items()
        for message in (messages if isinstance(messages, list) else [messages])
    ]


def json_row_cells(row: dict) -> dict[str, str]:
    """A JSON row (the API's field names, `address` and `metadata`/`meta` objects allowed) as
    column → text, the same shape a file row has."""
    flat: dict[str, str] = {}
    for key, value in row.items():
        if key == "address" and isinstance(value, dict):
            for sub, sub_value in value.items():
                flat[sub] = _text(sub_value)
        elif key in ("metadata", "meta") and isinstance(value, dict):
            for sub, sub_value in value.items():
                flat[f"meta.{sub}"] = _text(sub_value)
        elif isinstance(value, list):
            flat[key] = ",".join(_text(v) for v in value)
        else:
            flat[key] = _text(value)
    return flat


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value).strip()
