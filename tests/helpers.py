"""Shared test helpers: run the Rasa CLI, start the real servers on free ports."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import Dict, Iterator, List, Optional

ROOT = Path(__file__).resolve().parents[1]
MODEL = ROOT / "models" / "assistant.tar.gz"
RASA = str(Path(sys.executable).with_name("rasa"))


def base_env(**extra: str) -> Dict[str, str]:
    """The servers' environment, also outside make: every ${VAR} of credentials.yml must be set for
    Rasa to start; empty WECHAT_* values mean the channel's defaults (off without a token)."""
    from bot.wechat.settings import ENV_KEYS

    env = {var: "" for var in ENV_KEYS.values()}
    env.update(os.environ)
    env.update(
        PYTHONPATH=str(ROOT),
        TF_CPP_MIN_LOG_LEVEL="2",
        RASA_TELEMETRY_ENABLED="false",
        ACTION_ENDPOINT_URL=env.get("ACTION_ENDPOINT_URL", "http://localhost:5055/webhook"),
        TRACKER_STORE_URL=env.get("TRACKER_STORE_URL", "sqlite:///var/tracker.db"),
    )
    env.update(extra)
    return env


def rasa(*args: str, timeout: int = 900, env: Optional[Dict[str, str]] = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [RASA, *args], cwd=ROOT, env=env or base_env(), capture_output=True, text=True, timeout=timeout
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_json(url: str, payload: Optional[dict] = None, timeout: float = 30) -> object:
    data = None if payload is None else json.dumps(payload).encode()
    req = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=timeout) as resp:
        return json.loads(resp.read().decode())


def wait_until(check, timeout: float, what: str, proc: Optional[subprocess.Popen] = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"{what}: process exited with {proc.returncode}")
        try:
            if check():
                return
        except OSError:
            pass
        time.sleep(0.5)
    raise TimeoutError(f"{what} not ready after {timeout}s")


def start_action_server(port: int, env: Dict[str, str], log) -> subprocess.Popen:
    return subprocess.Popen([RASA, "run", "actions", "--actions", "actions", "--port", str(port)],
                            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)


def start_rasa_server(port: int, env: Dict[str, str], log, endpoints: str = "endpoints.yml",
                      credentials: str = "credentials.yml", auth_token: Optional[str] = None) -> subprocess.Popen:
    """Rasa with its HTTP API on; with ``auth_token`` the API (not the channels) needs ``?token=``."""
    token = ["--auth-token", auth_token] if auth_token else []
    return subprocess.Popen(
        [RASA, "run", "--model", str(MODEL), "--endpoints", endpoints, "--credentials", credentials,
         "--port", str(port), "--enable-api", "-i", "127.0.0.1", *token],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )


def wait_action_server(port: int, proc: Optional[subprocess.Popen] = None) -> None:
    wait_until(lambda: http_json(f"http://127.0.0.1:{port}/health")["status"] == "ok", 120, "action server", proc)


def wait_rasa_server(base: str, proc: Optional[subprocess.Popen] = None, auth_token: Optional[str] = None) -> None:
    query = f"?token={auth_token}" if auth_token else ""
    wait_until(lambda: bool(http_json(f"{base}/status{query}").get("model_file")), 300, "rasa server", proc)


def stop(procs: List[subprocess.Popen]) -> None:
    for p in procs:
        p.terminate()
    for p in procs:
        try:
            p.wait(timeout=30)
        except subprocess.TimeoutExpired:
            p.kill()


@contextmanager
def running_servers(workdir: Path, today: str = "2024-10-30",
                    extra_env: Optional[Dict[str, str]] = None,
                    credentials: str = "credentials.yml",
                    auth_token: Optional[str] = None) -> Iterator[Dict[str, str]]:
    """Start the action server and the Rasa server (SQLite tracker store) for real.

    ``credentials`` is the channels file (relative to the repository or absolute); ``extra_env``
    supplies the ``${ENV}`` values it refers to; ``auth_token`` protects Rasa's HTTP API.
    """
    action_port, rasa_port = free_port(), free_port()
    env = base_env(
        ACTION_ENDPOINT_URL=f"http://127.0.0.1:{action_port}/webhook",
        TRACKER_STORE_URL=f"sqlite:///{workdir / 'tracker.db'}",
        ZHICHENG_TODAY=today,
        ZHICHENG_DATABASE_URL=f"sqlite:///{workdir / 'zhicheng.db'}",
    )
    env.update(extra_env or {})
    logs: List = []
    procs: List[subprocess.Popen] = []
    try:
        alog = open(workdir / "actions.log", "w")
        logs.append(alog)
        procs.append(start_action_server(action_port, env, alog))
        rlog = open(workdir / "rasa.log", "w")
        logs.append(rlog)
        procs.append(start_rasa_server(rasa_port, env, rlog, credentials=credentials, auth_token=auth_token))
        base = f"http://127.0.0.1:{rasa_port}"
        wait_action_server(action_port, procs[0])
        wait_rasa_server(base, procs[1], auth_token)
        yield {"auth_token": auth_token or "", "rasa": base, "tracker_db": str(workdir / "tracker.db"), "workdir": str(workdir),
               "actions": f"http://127.0.0.1:{action_port}", "database": env["ZHICHENG_DATABASE_URL"]}
    finally:
        stop(procs)
        for f in logs:
            f.close()
