"""Shared test helpers: run the Rasa CLI, start the real servers on free ports."""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Dict, Iterator, List, Optional

ROOT = Path(__file__).resolve().parents[1]
MODEL = ROOT / "models" / "assistant.tar.gz"
RASA = str(Path(sys.executable).with_name("rasa"))
# ``rasa`` with the per-turn performance patches of bot/plugins/rasa_main.py (same arguments as ``rasa``).
RASA_MAIN = [sys.executable, "-m", "bot.plugins.rasa_main"]


_TEMPLATES: Dict[str, str] = {}


def from_template(url: str, key: str, make: Callable[[str], object]) -> bool:
    """When ``url`` is a SQLite file that does not exist yet, make it a copy of the template ``key``,
    built once per test session by ``make(template_url)``; True if it was copied. Copying a file is
    much faster than running Alembic or hashing passwords again for every test."""
    import shutil
    import tempfile

    prefix = "sqlite:///"
    path = url[len(prefix) :] if url.startswith(prefix) else ""
    if not path or path == ":memory:" or os.path.exists(path):
        return False
    if key not in _TEMPLATES:
        template = os.path.join(tempfile.mkdtemp(prefix=f"zhicheng-{key}-"), "template.db")
        make(prefix + template)
        _TEMPLATES[key] = template
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    shutil.copyfile(_TEMPLATES[key], path)
    return True


def migrated(url: str) -> str:
    """Bring the project database at ``url`` to the newest schema, as a service does on start
    (``bot.storage.migrate``; opening a database never migrates it); a new SQLite file is a copy of
    one migrated template."""
    from bot.storage import migrate

    if not from_template(url, "schema", migrate.upgrade):
        migrate.upgrade(url)
    return url


def base_env(**extra: str) -> Dict[str, str]:
    """The servers' environment, also outside make. No WECHAT_* variable is needed (the channel
    reads them when set; no token → off). ACTION_SERVER_TOKEN, which endpoints.yml sends to the
    action server, is a fresh random secret unless the environment has one."""
    env = dict(os.environ)
    env.update(
        PYTHONPATH=str(ROOT),
        TF_CPP_MIN_LOG_LEVEL="2",
        RASA_TELEMETRY_ENABLED="false",
        SANIC_REGISTER="False",
        ACTION_ENDPOINT_URL=env.get("ACTION_ENDPOINT_URL", "http://localhost:5055/webhook"),
        TRACKER_STORE_URL=env.get("TRACKER_STORE_URL", "sqlite:///var/tracker.db"),
        ACTION_SERVER_TOKEN=env.get("ACTION_SERVER_TOKEN") or secrets.token_urlsafe(24),
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


def wait_until(check, timeout: float, what: str, proc: Optional[subprocess.Popen] = None, every: float = 0.1) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"{what}: process exited with {proc.returncode}")
        try:
            if check():
                return
        except OSError:
            pass
        time.sleep(every)
    raise TimeoutError(f"{what} not ready after {timeout}s")


def start_action_server(port: int, env: Dict[str, str], log) -> subprocess.Popen:
    """The action server as make run starts it (loopback, shared secret from the environment)."""
    return subprocess.Popen(
        [sys.executable, "-m", "bot.plugins.action_server", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def start_rasa_server(
    port: int,
    env: Dict[str, str],
    log,
    endpoints: str = "endpoints.yml",
    credentials: str = "credentials.yml",
    auth_token: Optional[str] = None,
    as_make_run: bool = False,
    launcher: Optional[List[str]] = None,
) -> subprocess.Popen:
    """Rasa with its HTTP API on; with ``auth_token`` the API (not the channels) needs ``?token=``.
    ``as_make_run``: the flags make run uses (bot.settings.rasa_run_args: RASA_HOST, the API token
    RASA_AUTH_TOKEN from ``env``), on ``port``. ``launcher``: the command standing for ``rasa``
    (default: ``python -m bot.plugins.rasa_main``, as make run; ``[RASA]`` for Rasa's CLI unpatched)."""
    if as_make_run:
        from bot.settings import rasa_run_args

        flags = rasa_run_args(env, port=port)
    else:
        token = [f"--auth-token={auth_token}"] if auth_token else []  # one argument: a token may start with "-"
        flags = ["--port", str(port), "--enable-api", "-i", "127.0.0.1", *token]
    return subprocess.Popen(
        [
            *(launcher or RASA_MAIN),
            "run",
            "--model",
            str(MODEL),
            "--endpoints",
            endpoints,
            "--credentials",
            credentials,
            *flags,
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
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
def running_servers(
    workdir: Path,
    today: str = "2024-10-30",
    extra_env: Optional[Dict[str, str]] = None,
    credentials: str = "credentials.yml",
    auth_token: Optional[str] = None,
    as_make_run: bool = False,
) -> Iterator[Dict[str, str]]:
    """Start the action server and the Rasa server (SQLite tracker store) for real.

    ``credentials`` is the channels file (relative to the repository or absolute); ``extra_env``
    supplies the ``${ENV}`` values it refers to; ``auth_token`` protects Rasa's HTTP API.
    ``as_make_run``: Rasa with make run's flags (API token always on: ``auth_token`` or a fresh one;
    bound to loopback here through RASA_HOST unless ``extra_env`` says otherwise).
    """
    action_port, rasa_port = free_port(), free_port()
    env = base_env(
        ACTION_ENDPOINT_URL=f"http://127.0.0.1:{action_port}/webhook",
        TRACKER_STORE_URL=f"sqlite:///{workdir / 'tracker.db'}",
        ZHICHENG_TODAY=today,
        ZHICHENG_DATABASE_URL=f"sqlite:///{workdir / 'zhicheng.db'}",
    )
    if as_make_run:
        auth_token = auth_token or secrets.token_urlsafe(24)
        env.update(RASA_AUTH_TOKEN=auth_token, RASA_HOST="127.0.0.1")
    env.update(extra_env or {})
    logs: List = []
    procs: List[subprocess.Popen] = []
    try:
        alog = open(workdir / "actions.log", "w")
        logs.append(alog)
        procs.append(start_action_server(action_port, env, alog))
        rlog = open(workdir / "rasa.log", "w")
        logs.append(rlog)
        procs.append(
            start_rasa_server(
                rasa_port, env, rlog, credentials=credentials, auth_token=auth_token, as_make_run=as_make_run
            )
        )
        base = f"http://127.0.0.1:{rasa_port}"
        wait_action_server(action_port, procs[0])
        wait_rasa_server(base, procs[1], auth_token)
        yield {
            "auth_token": auth_token or "",
            "rasa": base,
            "tracker_db": str(workdir / "tracker.db"),
            "workdir": str(workdir),
            "actions": f"http://127.0.0.1:{action_port}",
            "database": env["ZHICHENG_DATABASE_URL"],
            "action_token": env["ACTION_SERVER_TOKEN"],
        }
    finally:
        stop(procs)
        for f in logs:
            f.close()


def in_process_sanic(name: str):
    """A Sanic app for a server started inside the test process. The first app to start rewrites
    Sanic's own request handlers (TouchUp); another app started later in the same process fails on
    the rewritten code unless Sanic keeps the originals, which it does in its test mode."""
    from sanic import Sanic

    Sanic.test_mode = True
    return Sanic(name)
