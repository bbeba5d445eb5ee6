"""Public identifiers: CUIDs for every resource, never sequential integers.

The shape is the spec's CUID (and cuid2's): 25 characters, lowercase letters and digits, the
first a letter. The bits come from the operating system's CSPRNG (`os.urandom`): a letter,
then 24 characters of base 32 (`0`-`9`, `a`-`v`, 5 bits each: 120 bits), so ids are neither
guessable nor ordered, and a collision needs around 2**60 ids. Each character is one random
byte mapped through a 256-entry table (`bytes.translate`: 32 divides 256, so no character is
likelier than another), which runs in C for a whole batch: an id costs a fraction of a
microsecond, where the `cuid2` package spent about 40 (a system call per random digit plus
SHA3 and a 100-digit base-36 conversion), and the bulk paths write several ids per row
(docs/decisions.md).
"""

import os

from django.db import models

LETTERS = "abcdefghijklmnopqrstuvwxyz"
ID_LENGTH = 25
_BODY = ID_LENGTH - 1
_BASE32 = bytes(ord("0123456789abcdefghijklmnopqrstuv"[b % 32]) for b in range(256))
# byte -> a letter (the first character); 256 = 9 * 26 + 22, so a..v are 10/9 as likely as
# w..z: a skew in 4.7 bits of a 125-bit id, harmless.
_FIRST_LETTER = bytes(ord(LETTERS[b % 26]) for b in range(256))


def new_id() -> str:
    """A collision-resistant, lowercase, url-safe id (25 characters, starts with a letter)."""
    return new_ids(1)[0]


def new_ids(count: int) -> list[str]:
    """`count` ids from one read of the random source (the bulk paths)."""
    raw = os.urandom(ID_LENGTH * count)
    first = raw[:count].translate(_FIRST_LETTER).decode("ascii")
    body = raw[count:].translate(_BASE32).decode("ascii")
    return [first[i] + body[i * _BODY : (i + 1) * _BODY] for i in range(count)]


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
