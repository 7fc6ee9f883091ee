"""The real action server and Rasa server, started as ``make run`` starts them (python -m
bot.plugins.action_server; Rasa through bot.plugins.rasa_main with make run's flags: API on with its token), where
Rasa alone can be stopped and started again on the same port (to see the widget go offline and
reconnect). tests/conftest.py shares one per clock for the whole run. Built from the primitives
in tests/helpers.py."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Dict, List, Optional

from tests.helpers import (
    base_env,
    free_port,
    start_action_server,
    start_rasa_server,
    wait_action_server,
    wait_rasa_server,
)

API_TOKEN = "shared-test-api-token"  # Rasa's HTTP API token (RASA_AUTH_TOKEN) of the shared servers


class RestartableStack:
    """Action server + Rasa (SQLite) on free ports; Rasa restartable in place."""

    def __init__(
        self,
        workdir: Path,
        today: str,
        credentials: str = "credentials.yml",
        extra_env: Optional[Dict[str, str]] = None,
        auth_token: str = API_TOKEN,
    ) -> None:
        self.workdir = workdir
        self.today = today
        self.credentials = credentials
        self.auth_token = auth_token
        self.action_port, self.rasa_port = free_port(), free_port()
        self.env = base_env(
            ACTION_ENDPOINT_URL=f"http://127.0.0.1:{self.action_port}/webhook",
            TRACKER_STORE_URL=f"sqlite:///{workdir / 'tracker.db'}",
            ZHICHENG_TODAY=today,
            ZHICHENG_DATABASE_URL=f"sqlite:///{workdir / 'zhicheng.db'}",
            RASA_AUTH_TOKEN=auth_token,
            RASA_HOST="127.0.0.1",
        )
        self.env.update(extra_env or {})
        self.actions: Optional[subprocess.Popen] = None
        self.rasa: Optional[subprocess.Popen] = None
        self._logs: List = []
        self._starts = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    @property
    def servers(self) -> Dict[str, str]:
        """What tests.helpers.running_servers yields, for the tests written against it."""
        return {
            "auth_token": self.auth_token,
            "rasa": self.url,
            "tracker_db": self.env["TRACKER_STORE_URL"][len("sqlite:///") :],
            "workdir": str(self.workdir),
            "actions": f"http://127.0.0.1:{self.action_port}",
            "database": self.env["ZHICHENG_DATABASE_URL"],
            "action_token": self.env["ACTION_SERVER_TOKEN"],
        }

    def start(self) -> RestartableStack:
        log = open(self.workdir / "actions.log", "w")
        self._logs.append(log)
        self.actions = start_action_server(self.action_port, self.env, log)
        self.start_rasa()
        wait_action_server(self.action_port, self.actions)
        self.wait_rasa()
        return self

    def start_rasa(self) -> None:
        """Start Rasa on the stack's port (does not wait; see wait_rasa)."""
        self._starts += 1
        log = open(self.workdir / f"rasa-{self._starts}.log", "w")
        self._logs.append(log)
        self.rasa = start_rasa_server(self.rasa_port, self.env, log, credentials=self.credentials, as_make_run=True)

    def wait_rasa(self) -> None:
        wait_rasa_server(self.url, self.rasa, self.auth_token)

    def stop_rasa(self) -> None:
        _stop(self.rasa)
        self.rasa = None

    def log_text(self) -> str:
        """Everything the servers logged so far (every Rasa start and the action server)."""
        for f in self._logs:
            f.flush()
        names = ["actions.log"] + [f"rasa-{i}.log" for i in range(1, self._starts + 1)]
        return "".join((self.workdir / n).read_text(encoding="utf-8", errors="replace") for n in names)

    def close(self) -> None:
        _stop(self.rasa)
        _stop(self.actions)
        for f in self._logs:
            f.close()


def _stop(proc: Optional[subprocess.Popen]) -> None:
    if proc is None or proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)
