"""The real action server and Rasa server for the browser tests, where Rasa alone can be stopped
and started again on the same port (to see the widget go offline and reconnect). Built from the
primitives in tests/helpers.py."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Dict, List, Optional

from tests.helpers import MODEL, RASA, RASA_MAIN, ROOT, base_env, free_port, http_json, wait_until


class RestartableStack:
    """Action server + Rasa (credentials.yml, SQLite) on free ports; Rasa restartable in place."""

    def __init__(
        self,
        workdir: Path,
        today: str,
        credentials: str = "credentials.yml",
        extra_env: Optional[Dict[str, str]] = None,
    ) -> None:
        self.workdir = workdir
        self.credentials = credentials
        self.action_port, self.rasa_port = free_port(), free_port()
        self.env = base_env(
            ACTION_ENDPOINT_URL=f"http://127.0.0.1:{self.action_port}/webhook",
            TRACKER_STORE_URL=f"sqlite:///{workdir / 'tracker.db'}",
            ZHICHENG_TODAY=today,
            ZHICHENG_DATABASE_URL=f"sqlite:///{workdir / 'zhicheng.db'}",
        )
        self.env.update(extra_env or {})
        self.actions: Optional[subprocess.Popen] = None
        self.rasa: Optional[subprocess.Popen] = None
        self._logs: List = []
        self._starts = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    def start(self) -> RestartableStack:
        log = open(self.workdir / "actions.log", "w")
        self._logs.append(log)
        self.actions = subprocess.Popen(
            [RASA, "run", "actions", "--actions", "actions", "--port", str(self.action_port)],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self.start_rasa()
        wait_until(
            lambda: http_json(f"http://127.0.0.1:{self.action_port}/health")["status"] == "ok",
            120,
            "action server",
            self.actions,
        )
        self.wait_rasa()
        return self

    def start_rasa(self) -> None:
        """Start Rasa on the stack's port (does not wait; see wait_rasa)."""
        self._starts += 1
        log = open(self.workdir / f"rasa-{self._starts}.log", "w")
        self._logs.append(log)
        self.rasa = subprocess.Popen(
            [
                *RASA_MAIN,
                "run",
                "--model",
                str(MODEL),
                "--endpoints",
                "endpoints.yml",
                "--credentials",
                self.credentials,
                "--port",
                str(self.rasa_port),
                "--enable-api",
                "-i",
                "127.0.0.1",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )

    def wait_rasa(self, timeout: float = 300) -> None:
        wait_until(lambda: bool(http_json(f"{self.url}/status").get("model_file")), timeout, "rasa server", self.rasa)

    def stop_rasa(self) -> None:
        _stop(self.rasa)
        self.rasa = None

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
