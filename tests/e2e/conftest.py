"""The production profile (make run-prod, bot/deploy/prod.py), started once for the run on first use:
nginx in front of two Rasa servers on one PostgreSQL and one Redis, the action server, the staff
service and the purge, in a temporary state folder on free ports. tests/e2e/test_scaled.py talks to
its two Rasa servers directly (two servers sharing a tracker store and a lock store), then
tests/e2e/test_prod_profile.py goes through nginx and ends with the faults and ``down``."""

from __future__ import annotations

import os
import shutil
import tempfile
import time

import pytest
import sqlalchemy as sa

from tests.helpers import free_port

# Rasa's ticket lock lifetime in the profile (TICKET_LOCK_LIFETIME; Rasa's default is 60 s): a turn
# that died with its server is waited for this long (test_prod_profile.py). Far above any turn's time.
PROFILE_LOCK_LIFETIME = 24
PURGE_EVERY = 15  # seconds, so that the tests see the schedule repeat (the default is a day; test_prod_profile.py)


def pytest_collection_modifyitems(session, config, items):
    """test_scaled.py before test_prod_profile.py: the profile's fault tests kill and restart its
    parts and end with ``down``."""
    scaled = [i for i in items if i.path.name == "test_scaled.py"]
    others = [i for i in items if i.path.name != "test_scaled.py"]
    first = next((n for n, i in enumerate(others) if i.path.name == "test_prod_profile.py"), None)
    if scaled and first is not None:
        items[:] = others[:first] + scaled + others[first:]


@pytest.fixture(scope="session")
def prod_profile():
    from bot.deploy import prod

    if not shutil.which("nginx") and not os.path.exists("/usr/sbin/nginx"):
        pytest.fail("nginx not installed: make services")
    root = tempfile.mkdtemp(prefix="zhicheng-prod-")
    os.chmod(root, 0o711)  # as root, PostgreSQL runs as the postgres user and must reach its folder
    var = os.path.join(root, "var")
    env = dict(os.environ, ZHICHENG_TODAY="2022-08-01", ZHICHENG_PURGE_EVERY_SECONDS=str(PURGE_EVERY))
    env["TICKET_LOCK_LIFETIME"] = str(PROFILE_LOCK_LIFETIME)
    started = time.monotonic()
    state = prod.up(var, servers=2, port=free_port(), env=env)
    state["up_seconds"] = time.monotonic() - started
    state["pids"] = prod.pids(var)
    state["engine"] = sa.create_engine(state["database"], pool_pre_ping=True)  # PostgreSQL gets restarted
    try:
        yield state
    finally:
        state["engine"].dispose()
        prod.down(var)
        shutil.rmtree(root, ignore_errors=True)
