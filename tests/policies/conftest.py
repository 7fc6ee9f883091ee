"""Fixtures the answer-core tests share: the notices and one QA over them (built once per run)."""

import pytest

from policies import QA, load_notices


@pytest.fixture(scope="session")
def notice_index():
    return load_notices()


@pytest.fixture(scope="session")
def shared_qa(notice_index):
    return QA(notice_index)
