"""Fixtures of the enrollment tests."""

import pytest

from tests.enrollments.factories import ProgramInstanceFactory


@pytest.fixture
def instance(workspace):
    return ProgramInstanceFactory(workspace=workspace)
