"""JSON bodies the rest of the API can always handle.

- No NUL characters: PostgreSQL cannot store U+0000 in text or jsonb, so a body carrying one
  would fail deep in the database as a 500.
- No unpaired surrogates (`"\\ud800"`): JSON escapes allow them, UTF-8 cannot encode them, so
  they failed in the database (a 500 on both) wherever a serializer did not check first.
- At most MAX_DEPTH levels of nesting: Python's decoder (and every recursive walk after it)
  hits the recursion limit around a thousand levels, which was a 500. No API body needs more
  than a handful of levels.

Refusing these at the parser turns them into one clear 400 for every endpoint.
"""

from rest_framework import parsers
from rest_framework.exceptions import ParseError

MAX_DEPTH = 32


def check_body(data) -> None:
    """Raise ParseError for NUL characters, unpaired surrogates or nesting deeper than
    MAX_DEPTH (iteratively, so a hostile body cannot exhaust the stack here either)."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, str):
            if "\x00" in value:
                raise ParseError("Text must not contain NUL (\\u0000) characters.")
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                raise ParseError(
                    "Text must not contain unpaired surrogate escapes (\\ud800-\\udfff)."
                ) from None
        elif isinstance(value, dict | list):
            if depth > MAX_DEPTH:
                raise ParseError(f"JSON must not be nested more than {MAX_DEPTH} levels deep.")
            items = value.items() if isinstance(value, dict) else ((None, v) for v in value)
            for key, item in items:
                if key is not None:
                    stack.append((key, depth))
                stack.append((item, depth + 1))


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(
                f"JSON must not be nested more than {MAX_DEPTH} levels deep."
            ) from None
        check_body(data)
        return data
