"""`formConfig`: how an instance's enrollment form looks and what it asks for.

Schema (every key optional; unknown keys are a 400 naming the supported ones):

    {
      "fields": [                      # extra questions, in display order
        {"name": "phone", "required": true, "label": "Mobile phone",
         "helpText": "We text you before each event."},
        {"name": "deviceCapacity"}
      ],
      "brandColor": "#0b6bcb",         # #rgb or #rrggbb
      "introText": "Sign up in two minutes.",
      "successMessage": "Thanks! We will email you.",
      "notifications": {"customer": true, "staff": false}
    }

`firstName`, `lastName` and `email` are always asked and always required (an enrollment needs
them); they may appear in `fields` only to change their label or help text. The notifications
switch is read by the notification sender (`form_config_notifications`).
"""

import re
from dataclasses import dataclass
from typing import Any

from config.errors import DomainValidationError

ALWAYS_ASKED = ("firstName", "lastName", "email")
OPTIONAL_FIELDS = (
    "phone",
    "address",
    "deviceType",
    "manufacturerSlugs",
    "deviceCapacity",
    "serialNumber",
    "referenceId",
    "referenceDescription",
)
FORM_FIELDS = (*ALWAYS_ASKED, *OPTIONAL_FIELDS)
TOP_LEVEL_KEYS = (
    "fields",
    "brandColor",
    "introText",
    "successMessage",
    "notifications",
    "embedOrigins",
    "translations",
)
# Languages of the public page; operator texts may be given per language in `translations`.
LANGUAGES = ("en", "es")
TRANSLATION_KEYS = ("introText", "successMessage", "customTerms", "fields")
ORIGIN_RE = re.compile(r"^https://[a-z0-9.-]+(?::\d{1,5})?$")
FIELD_KEYS = ("name", "required", "label", "helpText")
NOTIFICATION_KEYS = ("customer", "staff")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
NOTIFICATION_DEFAULTS = {"customer": True, "staff": True}
COLOR_RE = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")
LIMITS = {
    "label": 120,
    "helpText": 500,
    "introText": 2000,
    "successMessage": 2000,
    "customTerms": 20000,
}

# The OpenAPI description of the object (used by the serializer field's extend_schema_field).
FORM_CONFIG_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "description": "Enrollment form configuration. firstName, lastName and email are always "
    "asked and required; list other fields to ask for them.",
    "properties": {
        "fields": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["name"],
                "properties": {
                    "name": {"type": "string", "enum": list(FORM_FIELDS)},
                    "required": {"type": "boolean", "default": False},
                    "label": {"type": "string", "maxLength": LIMITS["label"]},
                    "helpText": {"type": "string", "maxLength": LIMITS["helpText"]},
                },
            },
        },
        "brandColor": {"type": "string", "pattern": COLOR_RE.pattern, "example": "#0b6bcb"},
        "introText": {"type": "string", "maxLength": LIMITS["introText"]},
        "successMessage": {"type": "string", "maxLength": LIMITS["successMessage"]},
        "embedOrigins": {
            "type": "array",
            "maxItems": 20,
            "items": {"type": "string", "pattern": ORIGIN_RE.pattern},
            "description": "https origins whose pages may show the public enrollment page in an "
            "iframe (CSP frame-ancestors). Empty or absent: it cannot be framed.",
        },
        "translations": {
            "type": "object",
            "description": "Operator texts per language (" + ", ".join(LANGUAGES) + "): "
            "introText, successMessage, customTerms and fields {name: {label, helpText}}. "
            "Missing texts fall back to the default ones.",
            "additionalProperties": False,
            "properties": {
                lang: {
                    "type": "object",
                    "additionalProperties": False,
                    "properties": {
                        "introText": {"type": "string"},
                        "successMessage": {"type": "string"},
                        "customTerms": {"type": "string"},
                        "fields": {"type": "object"},
                    },
                }
                for lang in LANGUAGES
            },
        },
        "notifications": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "customer": {
                    "type": "boolean",
                    "default": True,
                    "description": "Email the customer on enrollment status changes.",
                },
                "staff": {
                    "type": "boolean",
                    "default": True,
                    "description": "Email the workspace's staff when an enrollment awaits review.",
                },
            },
        },
    },
    "example": {
        "embedOrigins": ["https://www.example-utility.com"],
        "translations": {"es": {"introText": "Inscríbase en dos minutos."}},
        "fields": [
            {"name": "phone", "required": True, "label": "Mobile phone"},
            {"name": "deviceCapacity", "helpText": "In kWh, as on your installer's invoice."},
        ],
        "brandColor": "#0b6bcb",
        "notifications": {"customer": True, "staff": False},
    },
}


def _fail(path: str, message: str) -> DomainValidationError:
    # Details name the field as the domain does (`form_config.brand_color`); the API camelizes.
    field = "form_config" + _CAMEL.sub("_", path.removeprefix("formConfig")).lower()
    return DomainValidationError(f"{path}: {message}", details={field: [message]})


def _text(path: str, value: Any, limit: int) -> str:
    if not isinstance(value, str):
        raise _fail(path, "Must be a string.")
    if len(value) > limit:
        raise _fail(path, f"At most {limit} characters.")
    return value


def _validate_origins(origins: Any) -> None:
    path = "formConfig.embedOrigins"
    if not isinstance(origins, list) or len(origins) > 20:
        raise _fail(path, "Must be a list of at most 20 https origins.")
    for index, origin in enumerate(origins):
        if not isinstance(origin, str) or not ORIGIN_RE.match(origin):
            raise _fail(
                f"{path}[{index}]",
                "Must be an https origin such as https://www.example.com (no path, lower case).",
            )


def _validate_translations(translations: Any) -> None:
    path = "formConfig.translations"
    if not isinstance(translations, dict):
        raise _fail(path, "Must be an object keyed by language: " + ", ".join(LANGUAGES) + ".")
    for lang, texts in translations.items():
        if lang not in LANGUAGES:
            raise _fail(path, f"Unknown language {lang!r}. Supported: {', '.join(LANGUAGES)}.")
        if not isinstance(texts, dict):
            raise _fail(f"{path}.{lang}", "Must be an object.")
        extra = sorted(set(texts) - set(TRANSLATION_KEYS))
        if extra:
            raise _fail(
                f"{path}.{lang}",
                f"Unknown key(s): {', '.join(extra)}. Supported: {', '.join(TRANSLATION_KEYS)}.",
            )
        for key in ("introText", "successMessage", "customTerms"):
            if key in texts:
                _text(f"{path}.{lang}.{key}", texts[key], LIMITS[key])
        fields = texts.get("fields", {})
        if not isinstance(fields, dict):
            raise _fail(f"{path}.{lang}.fields", "Must be {name: {label, helpText}}.")
        for name, item in fields.items():
            where = f"{path}.{lang}.fields.{name}"
            if name not in FORM_FIELDS:
                raise _fail(where, f"Unknown form field. Supported: {', '.join(FORM_FIELDS)}.")
            if not isinstance(item, dict) or set(item) - {"label", "helpText"}:
                raise _fail(where, "Must be an object with label and/or helpText.")
            for key, text in item.items():
                _text(f"{where}.{key}", text, LIMITS[key])


def form_config_validate(value: Any) -> dict:
    """Return the config as given (validated), or raise a 400 naming the problem."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise _fail("formConfig", "Must be an object.")
    unknown = sorted(set(value) - set(TOP_LEVEL_KEYS))
    if unknown:
        raise _fail(
            "formConfig",
            f"Unknown key(s): {', '.join(unknown)}. Supported: {', '.join(TOP_LEVEL_KEYS)}.",
        )
    if "fields" in value:
        fields = value["fields"]
        if not isinstance(fields, list):
            raise _fail("formConfig.fields", "Must be a list of {name, required, label, helpText}.")
        seen: set[str] = set()
        for index, item in enumerate(fields):
            path = f"formConfig.fields[{index}]"
            if not isinstance(item, dict):
                raise _fail(path, "Must be an object with a name.")
            extra = sorted(set(item) - set(FIELD_KEYS))
            if extra:
                raise _fail(
                    path, f"Unknown key(s): {', '.join(extra)}. Supported: {', '.join(FIELD_KEYS)}."
                )
            name = item.get("name")
            if name not in FORM_FIELDS:
                raise _fail(
                    f"{path}.name",
                    f"Unknown form field {name!r}. Supported: {', '.join(FORM_FIELDS)}.",
                )
            if name in seen:
                raise _fail(f"{path}.name", f"{name} is listed twice.")
            seen.add(name)
            if "required" in item:
                if not isinstance(item["required"], bool):
                    raise _fail(f"{path}.required", "Must be true or false.")
                if name in ALWAYS_ASKED and not item["required"]:
                    raise _fail(f"{path}.required", f"{name} is always required.")
            for key in ("label", "helpText"):
                if key in item:
                    _text(f"{path}.{key}", item[key], LIMITS[key])
    if "brandColor" in value and (
        not isinstance(value["brandColor"], str) or not COLOR_RE.match(value["brandColor"])
    ):
        raise _fail("formConfig.brandColor", "Must be a hex colour such as #0b6bcb.")
    for key in ("introText", "successMessage"):
        if key in value:
            _text(f"formConfig.{key}", value[key], LIMITS[key])
    if "embedOrigins" in value:
        _validate_origins(value["embedOrigins"])
    if "translations" in value:
        _validate_translations(value["translations"])
    if "notifications" in value:
        notifications = value["notifications"]
        if not isinstance(notifications, dict):
            raise _fail("formConfig.notifications", "Must be {customer: bool, staff: bool}.")
        extra = sorted(set(notifications) - set(NOTIFICATION_KEYS))
        if extra:
            raise _fail(
                "formConfig.notifications",
                f"Unknown key(s): {', '.join(extra)}. Supported: customer, staff.",
            )
        for key, flag in notifications.items():
            if not isinstance(flag, bool):
                raise _fail(f"formConfig.notifications.{key}", "Must be true or false.")
    return value


@dataclass(frozen=True)
class FormField:
    name: str
    required: bool
    label: str
    help_text: str


def form_config_fields(config: dict | None, lang: str | None = None) -> list[FormField]:
    """The fields the enrollment form shows, in order: the always-asked three first. With a
    `lang`, labels and help texts come from `translations.{lang}.fields` where given. `label`
    is the operator's, or "" (the enrollment's input spec has the default words:
    `enrollments.inputs.form_field_label`)."""
    config = config or {}
    given = {item["name"]: item for item in config.get("fields", [])}
    translated = form_config_translation(config, lang).get("fields") or {}
    names = [*ALWAYS_ASKED, *(n for n in given if n not in ALWAYS_ASKED)]
    result = []
    for name in names:
        item = {**given.get(name, {}), **translated.get(name, {})}
        result.append(
            FormField(
                name=name,
                required=name in ALWAYS_ASKED or bool(item.get("required", False)),
                label=item.get("label") or "",
                help_text=item.get("helpText", ""),
            )
        )
    return result


def form_config_translation(config: dict | None, lang: str | None) -> dict:
    """The operator texts given for `lang` (empty when none)."""
    translations = (config or {}).get("translations") or {}
    return translations.get(lang) or {} if lang else {}


def form_config_text(config: dict | None, key: str, lang: str | None, default: str = "") -> str:
    """An operator text (introText, successMessage, customTerms) in `lang`, falling back to the
    default-language text."""
    text = form_config_translation(config, lang).get(key)
    return text if text else ((config or {}).get(key) or default)


def form_config_notifications(config: dict | None) -> dict[str, bool]:
    """`{customer: bool, staff: bool}` with the defaults filled in."""
    given = (config or {}).get("notifications") or {}
    return {key: bool(given.get(key, default)) for key, default in NOTIFICATION_DEFAULTS.items()}
