"""Public identifiers: CUIDs for every resource, never sequential integers.

The shape is the spec's CUID (and cuid2's): 25 characters, lowercase letters and digits, the
first a letter. The bits are 16 bytes from the operating system's CSPRNG (`os.urandom`): the
letter plus 24 base-36 digits carry about 128 random bits, so ids are neither guessable nor
ordered, and a collision needs around 2**62 ids. Why not the `cuid2` package any more: it
spends about 40 microseconds per id (a system call per random digit plus SHA3 and a 100-digit
base-36 conversion), and an import writes seven ids per row, which was a quarter of the
import's time (docs/decisions.md).
"""

import os

from django.db import models

LETTERS = "abcdefghijklmnopqrstuvwxyz"
DIGITS = "0123456789" + LETTERS
_PAIRS = [a + b for a in DIGITS for b in DIGITS]  # two base-36 digits per division
ID_LENGTH = 25
_RANDOM_BYTES = 16


def _encode(number: int) -> str:
    letter, number = LETTERS[number % 26], number // 26
    pairs = []
    for _ in range((ID_LENGTH - 1) // 2):
        number, pair = divmod(number, 1296)
        pairs.append(_PAIRS[pair])
    return letter + "".join(pairs)


def new_id() -> str:
    """A collision-resistant, lowercase, url-safe id (25 characters, starts with a letter)."""
    return _encode(int.from_bytes(os.urandom(_RANDOM_BYTES)))


def new_ids(count: int) -> list[str]:
    """`count` ids from one read of the random source (the bulk paths)."""
    raw = os.urandom(_RANDOM_BYTES * count)
    size = _RANDOM_BYTES
    return [_encode(int.from_bytes(raw[i : i + size])) for i in range(0, len(raw), size)]


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
