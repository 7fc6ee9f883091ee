import json
from pathlib import Path

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from tests.helpers import migrated

TRACKERS = Path(__file__).parent / "trackers"


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setenv("ZHICHENG_TODAY", "2024-10-30")


@pytest.fixture(autouse=True)
def own_database(monkeypatch, tmp_path):
    """Actions that save (assessments, unanswered messages) write to a database of the test's own."""
    url = migrated(f"sqlite:///{tmp_path / 'zhicheng.db'}")  # as the action server does on start
    monkeypatch.setenv("ZHICHENG_DATABASE_URL", url)
    return url


@pytest.fixture
def load_tracker():
    def _load(name: str) -> Tracker:
        return Tracker.from_dict(json.loads((TRACKERS / f"{name}.json").read_text(encoding="utf-8")))

    return _load


@pytest.fixture
def dispatcher():
    return CollectingDispatcher()
