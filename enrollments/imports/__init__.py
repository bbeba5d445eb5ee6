"""Candidate import (CSV, Excel .xlsx, JSON rows): parsing, column matching, the service that
every door calls (`enrollments.imports.service`), its background task and its report."""
