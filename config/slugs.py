"""Slugs shared by programs and instances: unique platform-wide, generated, stable once set.

A slug addresses a public page (`/programs/{slug}`, an instance's enrollment page), so it never
changes after creation: renaming keeps the slug, and an attempt to change it is a 400.
"""

import re
from collections.abc import Callable

from django.db import IntegrityError, transaction
from django.db.models import Model
from django.utils.text import slugify

from config.errors import ConflictError, DomainValidationError

SLUG_RE = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")
SLUG_MAX_LENGTH = 120


def slug_validate(slug: str, *, field: str = "slug") -> str:
    if len(slug) > SLUG_MAX_LENGTH or not SLUG_RE.match(slug):
        raise DomainValidationError(
            f"{field} may contain only lowercase letters, digits, single hyphens or underscores "
            f"(at most {SLUG_MAX_LENGTH} characters), e.g. 'nyc-battery-program-2025'.",
            details={field: ["Invalid slug."]},
        )
    return slug


def slug_unique_from(
    model: type[Model], *, name: str, wanted: str | None = None, fallback: str = "item"
) -> str:
    """The wanted slug if free (409 if taken), else a free slug derived from the name.

    Uniqueness is checked across the whole table on purpose (platform-wide, not per tenant):
    the caller's visibility rules do not apply to the slug namespace.
    """
    if wanted:
        slug_validate(wanted)
        if model._default_manager.filter(slug=wanted).exists():
            raise ConflictError(
                f"The slug '{wanted}' is already in use; choose another or omit it to have one "
                "generated.",
                details={"slug": [f"'{wanted}' is already in use."]},
            )
        return wanted
    # slugify keeps only ASCII letters and digits; a name without any falls back to `fallback`.
    base = slugify(name)[: SLUG_MAX_LENGTH - 6].strip("-_") or fallback
    taken = set(model._default_manager.filter(slug__startswith=base).values_list("slug", flat=True))
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def slug_check_unchanged(current: str, given: str | None) -> None:
    if given is not None and given != current:
        raise DomainValidationError(
            f"The slug is stable once set (it addresses public pages); it stays '{current}'.",
            details={"slug": ["Cannot be changed."]},
        )


def save_with_unique_slug(
    model: type[Model],
    build: Callable[[str], Model],
    *,
    name: str,
    wanted: str | None,
    fallback: str,
) -> Model:
    """Insert `build(slug)` under a free slug, retrying when a concurrent insert takes it.

    The check in `slug_unique_from` and the INSERT are not atomic; the unique index is the real
    guard, so a lost race either retries with the next generated slug or, for a slug the caller
    asked for, becomes a 409.
    """
    for attempt in range(3):
        obj = build(slug_unique_from(model, name=name, wanted=wanted, fallback=fallback))
        try:
            with transaction.atomic():
                obj.save()
            return obj
        except IntegrityError:
            if wanted or attempt == 2:
                raise ConflictError(
                    f"The slug '{obj.slug}' is already in use.",
                    details={"slug": [f"'{obj.slug}' is already in use."]},
                ) from None
    raise AssertionError("unreachable: the last attempt returns or raises")
