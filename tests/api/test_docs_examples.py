"""Every ```http example of docs/api.md, run in order as written: the documentation cannot
drift from what the API answers.

A request block is `METHOD path`, headers, a blank line and an optional JSON body. The response
block after it is `HTTP/1.1 <status> <reason>`, the headers it must carry and an optional JSON
body whose keys it must carry (a subset). `<name>` in a response captures the value the first
time and must equal it afterwards; in a request it is replaced by the captured value.
"""

import json
import re
from pathlib import Path

import pytest
from rest_framework.test import APIClient

from tests.factories import make_api_key

DOC = Path(__file__).resolve().parents[2] / "docs" / "api.md"
VARIABLE = re.compile(r"^<([a-z0-9]+)>$")


def blocks() -> list[str]:
    return re.findall(r"```http\n(.*?)```", DOC.read_text(), flags=re.S)


def _split(block: str) -> tuple[list[str], str]:
    head, _, body = block.partition("\n\n")
    return head.strip().splitlines(), body.strip()


def _fill(text: str, values: dict) -> str:
    return re.sub(r"<([a-z0-9]+)>", lambda m: values[m.group(1)], text)


def _expect(expected, actual, values, where):
    if isinstance(expected, str) and (match := VARIABLE.match(expected)):
        name = match.group(1)
        if name in values:
            assert actual == values[name], (where, actual, values[name])
        else:
            values[name] = actual
    elif isinstance(expected, dict):
        assert isinstance(actual, dict), (where, actual)
        for key, value in expected.items():
            assert key in actual, (where, key, actual)
            _expect(value, actual[key], values, f"{where}.{key}")
    else:
        assert actual == expected, (where, actual, expected)


def test_the_examples_are_pairs():
    found = blocks()
    assert len(found) >= 10 and len(found) % 2 == 0
    for request, response in zip(found[::2], found[1::2], strict=True):
        assert not request.startswith("HTTP/"), request
        assert response.startswith("HTTP/1.1 "), response


@pytest.mark.django_db
def test_docs_api_md_examples_run_as_written(workspace, settings):
    settings.API_CURSOR_SETTLE_SECONDS = 0  # the example reads rows it has just written
    _, raw = make_api_key(workspace)
    values = {"key": raw}
    client = APIClient()
    found = blocks()
    for number, (request, response) in enumerate(zip(found[::2], found[1::2], strict=True)):
        lines, body = _split(_fill(request, values))
        method, path = lines[0].split(" ", 1)
        headers = dict(line.split(": ", 1) for line in lines[1:])
        content_type = headers.pop("Content-Type", "application/json")
        extra = {f"HTTP_{name.upper().replace('-', '_')}": value for name, value in headers.items()}
        answer = client.generic(method, path, body.encode(), content_type, **extra)
        where = f"example {number + 1}: {method} {path}"
        status_lines, expected_body = _split(response)
        status = int(status_lines[0].split()[1])
        assert answer.status_code == status, (where, answer.content)
        for line in status_lines[1:]:
            name, value = line.split(": ", 1)
            assert answer.has_header(name), (where, name)
            _expect(value, answer[name], values, f"{where} {name}")
        if expected_body:
            _expect(json.loads(expected_body), answer.json(), values, where)
