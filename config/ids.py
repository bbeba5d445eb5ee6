"""Public identifiers: CUID2 strings for every resource, never sequential integers."""

from cuid2 import Cuid
from django.db import models

_generator = Cuid(length=25)


def new_id() -> str:
    """A collision-resistant, lowercase, url-safe id (25 characters, starts with a letter)."""
    return _generator.generate()


class CuidField(models.CharField):
    """Primary key holding a CUID. Used by every model whose id leaves the building."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 25)
        kwargs.setdefault("default", new_id)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("primary_key", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        for key in ("max_length", "default", "editable", "primary_key"):
            kwargs.pop(key, None)
        return name, path, args, kwargs
