"""An unchanged save of the instance editor changes nothing.

The editor cannot show every stored value exactly: a date's seconds (the browser's
datetime-local input has minutes), the order of regions (a multiple select posts them in its
option order), a formConfig written through the API (keys the editor does not edit, fields
spelled out that the editor leaves implicit, notification switches left at their defaults).
Sent back as they are posted, they would bump `criteriaVersion`, record an event and rewrite
the formConfig although the operator changed nothing. `keep_unchanged` puts back the stored
value wherever the edit means the same thing, and merges the editor's formConfig keys into the
stored object.
"""

from typing import Any

from instances.formconfig import form_config_fields, form_config_notifications

# The formConfig keys the editor edits; any other key is kept as stored.
EDITED_FORM_CONFIG_KEYS = ("fields", "brandColor", "introText", "successMessage", "notifications")


def _same_date(old, new) -> bool:
    return old is not None and new is not None and new == old.replace(second=0, microsecond=0)


def _same_rule(old: Any, new: Any) -> bool:
    if isinstance(old, list) and isinstance(new, list):
        return sorted(map(str, old)) == sorted(map(str, new))
    return old == new


def _criteria(old: Any, new: Any) -> Any:
    if old in (None, {}, "") and new in (None, {}, ""):
        return old
    if isinstance(old, dict) and isinstance(new, dict):
        if old.keys() == new.keys() and all(_same_rule(old[k], new[k]) for k in old):
            return old
        # A real change: still keep the stored order of the values that stay.
        return {
            key: [v for v in old[key] if v in value] + [v for v in value if v not in old[key]]
            if isinstance(value, list) and isinstance(old.get(key), list)
            else value
            for key, value in new.items()
        }
    return new


def _form_config(old: Any, new: dict) -> dict:
    old = old if isinstance(old, dict) else {}
    merged = {key: value for key, value in old.items() if key not in EDITED_FORM_CONFIG_KEYS}
    merged.update({key: new[key] for key in EDITED_FORM_CONFIG_KEYS if key in new})
    same = {
        "fields": form_config_fields(merged) == form_config_fields(old),
        "notifications": form_config_notifications(merged) == form_config_notifications(old),
    }
    for key in (key for key, equal in same.items() if equal):
        merged.pop(key, None)
        if key in old:
            merged[key] = old[key]
    return old if merged == old else merged


def keep_unchanged(instance, data: dict) -> dict:
    """`data` (the editor's service data) with the stored values wherever they mean the same."""
    kept = dict(data)
    for key in ("start_date", "end_date"):
        if _same_date(getattr(instance, key), kept.get(key)):
            kept[key] = getattr(instance, key)
    if "eligibility_criteria" in kept:
        kept["eligibility_criteria"] = _criteria(
            instance.eligibility_criteria, kept["eligibility_criteria"]
        )
    if "form_config" in kept:
        kept["form_config"] = _form_config(instance.form_config, kept["form_config"])
    return kept
