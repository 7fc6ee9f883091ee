"""What the whole run shares, each started on first use and stopped at the end of the run:

- ``shared_2024`` / ``shared_2022``: the real action server and Rasa server (SQLite), started as
  ``make run`` starts them (API on with a token the tests know), one per clock (ZHICHENG_TODAY).
  One configuration serves every module: the REST and socket.io channels, the web widget, and the
  WeChat channels of credentials.yml (plain mode) plus a safe-mode and a switched-off one, all
  talking to a fake WeChat of the stack's own (``stack.wechat``), through whose proxy Rasa reaches
  the action server (it can delay an action). Tests that use them pick their own sender ids and
  look only at their own rows: the databases hold every other module's conversations too.
- ``nlu_agent``: the trained model loaded once in the test process (rasa's Agent), for what needs
  the model but no server: ``rasa test core`` / ``rasa test nlu`` and the hostile-message flood.
- ``pg_server``: one throwaway PostgreSQL server (tests/services.py) for the schema, retention and
  dashboard tests, each in a fresh database of its own.
- ``nlu_flood``: the 10,000 hostile messages through the NLU in a process of its own
  (tests/security/nlu_flood.py), started as soon as the flood test is collected so that it runs
  beside the rest of the suite; the fixture waits for its result.
- ``screenshots_dir``: where a test saves its screenshots — a temporary folder, or the folder given
  with ``--screenshots-dir`` (``make screenshots`` passes docs/).
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Iterator

import pytest

from tests.helpers import MODEL


def pytest_configure(config):
    """Hypothesis keeps its caches (.hypothesis/) in a temporary folder, not in the work tree."""
    from hypothesis.configuration import set_hypothesis_home_dir

    config._hypothesis_home = tempfile.mkdtemp(prefix="zhicheng-hypothesis-")
    set_hypothesis_home_dir(config._hypothesis_home)


def pytest_unconfigure(config):
    home = getattr(config, "_hypothesis_home", None)
    if home:
        shutil.rmtree(home, ignore_errors=True)
    flood = getattr(config, "_nlu_flood", None)
    if flood is not None and flood["process"].poll() is None:
        flood["process"].kill()


FLOOD_TEST = "test_ten_thousand_hostile_messages_through_the_nlu_and_a_thousand_over_http"


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(session, config, items):
    """Start the NLU flood's process now if its test is going to run (see ``nlu_flood``)."""
    if not any(item.name == FLOOD_TEST for item in items) or not MODEL.is_file():
        return
    import subprocess
    import sys

    from tests.helpers import ROOT, base_env

    folder = tempfile.mkdtemp(prefix="zhicheng-flood-")
    out, log = Path(folder) / "result.json", open(Path(folder) / "flood.log", "w")
    process = subprocess.Popen(
        # at a lower priority: it only has to be done by its test's turn, the servers' tests must not wait
        ["nice", "-n", "10", sys.executable, "-m", "tests.security.nlu_flood", str(out)],
        cwd=ROOT,
        env=base_env(),
        stdout=log,
        stderr=log,
    )
    config._nlu_flood = {"process": process, "out": out, "log": log, "folder": folder}


@pytest.fixture(scope="session")
def nlu_flood(request):
    """A function that waits for the NLU flood's process and returns its result."""
    import json

    flood = getattr(request.config, "_nlu_flood", None)
    assert flood is not None, "the flood's process was not started (is the model trained?)"

    def result(timeout: float = 1200) -> dict:
        code = flood["process"].wait(timeout=timeout)
        flood["log"].close()
        log_text = Path(flood["folder"], "flood.log").read_text(encoding="utf-8", errors="replace")
        assert code == 0, log_text[-3000:]
        return json.loads(flood["out"].read_text(encoding="utf-8"))

    yield result
    shutil.rmtree(flood["folder"], ignore_errors=True)


def pytest_addoption(parser):
    parser.addoption(
        "--screenshots-dir",
        default=None,
        help="save the browser tests' screenshots here (make screenshots: docs/) instead of a temporary folder",
    )


@pytest.fixture(scope="session")
def screenshots_dir(request, tmp_path_factory) -> Path:
    given = request.config.getoption("--screenshots-dir")
    if given:
        path = Path(given).resolve()
        path.mkdir(parents=True, exist_ok=True)
        return path
    return tmp_path_factory.mktemp("screenshots")


def _shared_stack(tmp_path_factory, today: str):
    from bot.storage.assessments import Storage
    from tests.channels.webchat.stack import RestartableStack
    from tests.channels.wechat.accounts import AES_KEY, APP_ID, APP_SECRET, TOKEN, credentials_file, plain_channel_env
    from tests.channels.wechat.fake_wechat import FakeWeChat

    workdir = tmp_path_factory.mktemp(f"shared-{today}")
    fake = FakeWeChat(TOKEN, APP_ID, APP_SECRET, AES_KEY).start()
    env = {**plain_channel_env(fake.api_base), "ACTION_ENDPOINT_URL": fake.proxy_url}
    stack = RestartableStack(
        workdir, today=today, credentials=str(credentials_file(workdir, fake.api_base)), extra_env=env
    )
    fake.action_target = f"http://127.0.0.1:{stack.action_port}/webhook"
    try:
        stack.start()
        fake.servers = stack.servers
        fake.storage = Storage(stack.servers["database"])
        fake.stack = stack
        stack.wechat = fake
        yield stack
    finally:
        stack.close()
        fake.stop()


@pytest.fixture(scope="session")
def shared_2024(tmp_path_factory):
    """The shared servers on 2024-10-30 (the 重庆 2024 notice's payment window is open)."""
    yield from _shared_stack(tmp_path_factory, "2024-10-30")


@pytest.fixture(scope="session")
def shared_2022(tmp_path_factory):
    """The shared servers on 2022-08-01 (the 长治 2022 notice's application period)."""
    yield from _shared_stack(tmp_path_factory, "2022-08-01")


@pytest.fixture(scope="session")
def nlu_agent():
    """The trained model (NLU and dialogue policies) loaded once in this process, as the servers load
    it (with the patches of bot.plugins.rasa_main: the same predictions, a faster load)."""
    from rasa.core.agent import Agent

    from bot.plugins.rasa_main import apply_patches

    apply_patches()

    assert MODEL.is_file(), "no trained model: make setup"
    agent = Agent.load(str(MODEL))
    assert agent.is_ready()
    return agent


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    from tests.services import throwaway_postgres

    with throwaway_postgres() as url:
        yield url
