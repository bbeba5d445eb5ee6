"""Versioned terms: every change of an instance's `customTerms` text is kept as a new
`TermsVersion` (1, 2, ...), so consent evidence can name exactly what a customer accepted."""

import hashlib

from django.db.models import Max

from instances.models import ProgramInstance, TermsVersion


def terms_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def terms_version_record(*, instance: ProgramInstance) -> TermsVersion | None:
    """Called by the instance services (inside their transaction, with the row locked or just
    created) after `custom_terms` changed: stores the new text as the next version and points
    `instance.terms_version` at it. Empty terms mean "no terms" (terms_version null)."""
    text = instance.custom_terms or ""
    if not text.strip():
        instance.terms_version = None
        return None
    latest = instance.terms_versions.aggregate(top=Max("version"))["top"] or 0
    version = TermsVersion.objects.create(
        program_instance=instance, version=latest + 1, text=text, sha256=terms_sha256(text)
    )
    instance.terms_version = version.version
    return version


def terms_current(*, instance: ProgramInstance) -> TermsVersion | None:
    """The version customers accept now (None when the instance has no terms)."""
    if not instance.terms_version:
        return None
    return instance.terms_versions.filter(version=instance.terms_version).first()
