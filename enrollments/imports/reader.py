"""An import's rows, read and validated chunk by chunk; for a large file, in a second process.

    validated_chunks(imp) -> Iterator[list[_Row]]

Validation is the enrollment's input spec on every row (enrollments.imports.rows.validate):
pure Python, no SQL, a large share of an import's time. A large file
(`IMPORT_PARALLEL_MIN_ROWS` rows or more) is therefore read and validated by a child process
while this process writes the chunk before: the child works on the other core instead of
waiting for the database's answers, at no cost in correctness, since the rows it returns are
exactly what the in-process path returns (tested). A thread would not do: validation holds the
GIL, and every answer from the database would then wait for it.

The child is started with `spawn` (a fresh interpreter that sets Django up again; `fork` of a
process with threads and an open database connection is unsafe). It is given the file itself
and never touches the database. The file reaches it as a temporary file, not as an argument
of the start: multiprocessing writes a start's arguments into a pipe the child reads at
startup, and a child that dies before reading them (a broken environment, an import error)
would leave that write, and this process, blocked forever. It is at most two chunks ahead (a
bounded queue), so memory does not grow with the file. Its failure fails the import with its
message; a cancelled or failed import stops it.
"""

import multiprocessing
import os
import queue
import tempfile
import traceback
from collections.abc import Iterator
from itertools import islice
from types import SimpleNamespace

from django.conf import settings
from django.utils import translation

AHEAD = 2  # chunks the child may validate before this process has taken them
DONE = "done"


def _chunks(table, mapping: dict, size: int) -> Iterator[list]:
    # Imported here: the child imports this module before `django.setup()`.
    from enrollments.imports.rows import validate_chunk

    records = table.rows()
    while chunk := list(islice(records, size)):
        yield validate_chunk(header=table.header, mapping=mapping, records=chunk)


def validated_chunks(imp) -> Iterator[list]:
    """The import's validated rows, `IMPORT_CHUNK_SIZE` at a time (its file was checked whole
    when it was started: `total_rows` is known)."""
    from enrollments.imports.service import _source_table
    from enrollments.imports.storage import load_source

    size = settings.IMPORT_CHUNK_SIZE
    if imp.total_rows < settings.IMPORT_PARALLEL_MIN_ROWS:
        yield from _chunks(_source_table(imp), imp.mapping, size)
        return
    context = multiprocessing.get_context("spawn")
    results = context.Queue(maxsize=AHEAD)
    with tempfile.NamedTemporaryFile(prefix=f"import-{imp.pk}-", delete=False) as file:
        file.write(load_source(imp.pk) or b"")
    source = SimpleNamespace(
        file_name=imp.file_name, file_format=imp.file_format, path=file.name, mapping=imp.mapping
    )
    child = context.Process(
        target=_child,
        args=(source, translation.get_language(), size, results),
        name=f"import-{imp.pk}-reader",
        daemon=True,
    )
    try:
        child.start()
        while (item := _next(results, child)) != DONE:
            yield item
    finally:
        if child.is_alive():
            child.terminate()
        if child.pid is not None:
            child.join()
        os.unlink(file.name)


def _next(results, child):
    """The child's next chunk; its failure as this process's exception."""
    while True:
        try:
            item = results.get(timeout=1)
        except queue.Empty:
            if not child.is_alive():
                raise RuntimeError(
                    f"The import's reader process stopped (exit code {child.exitcode})."
                ) from None
            continue
        if isinstance(item, BaseException):
            raise item
        return item


def _child(source: SimpleNamespace, language: str | None, size: int, results) -> None:
    """In the child process: read the file and put its validated chunks, then DONE (or the
    exception, with the child's traceback in its message)."""
    import django

    django.setup()
    from enrollments.imports.service import _source_table

    try:
        with open(source.path, "rb") as file:
            source.source = file.read()
        with translation.override(language):
            for chunk in _chunks(_source_table(source), source.mapping, size):
                results.put(chunk)
        results.put(DONE)
    except Exception as exc:  # the parent fails the import with it
        results.put(RuntimeError(f"{type(exc).__name__}: {exc}\n{traceback.format_exc()}"))
