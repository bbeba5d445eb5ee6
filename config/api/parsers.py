"""JSON bodies without NUL characters.

PostgreSQL cannot store U+0000 in text or jsonb, so a body carrying one would fail deep in the
database as a 500. Refusing it at the parser turns that into one clear 400 for every endpoint.
"""

from rest_framework import parsers
from rest_framework.exceptions import ParseError


def contains_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(contains_nul(k) or contains_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(contains_nul(item) for item in value)
    return False


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
        if contains_nul(data):
            raise ParseError("Text must not contain NUL (\\u0000) characters.")
        return data
