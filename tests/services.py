"""Throwaway PostgreSQL and Redis servers for tests: own data folder, own port, gone afterwards.

Uses Debian's server binaries (``make services`` installs ``postgresql`` and ``redis-server`` when
they are missing). PostgreSQL refuses to run as root, so as root it runs as the ``postgres`` user.
Nothing here mocks a database: the project's tables, Rasa's tracker store and lock store talk to
real servers.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Dict, Iterator, List

from tests.helpers import (
    base_env,
    free_port,
    start_action_server,
    start_rasa_server,
    stop,
    wait_action_server,
    wait_rasa_server,
    wait_until,
)

DB_USER = "zhicheng"
DB_NAME = "zhicheng"


def server_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not found:
        raise RuntimeError(f"PostgreSQL's {name} not found: run `make services` (Debian's postgresql, redis-server)")
    return found[-1]


def _as_server_user(cmd: List[str]) -> List[str]:
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *cmd]
    return cmd


@contextmanager
def throwaway_postgres() -> Iterator[str]:
    """Start a fresh cluster on a free loopback port; yield a SQLAlchemy URL of an empty database."""
    root = tempfile.mkdtemp(prefix="zhicheng-pg-")
    data = os.path.join(root, "data")
    os.makedirs(data)
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
        shutil.chown(data, "postgres", "postgres")
    port = free_port()
    run = dict(check=True, capture_output=True, text=True, timeout=120)
    try:
        subprocess.run(
            _as_server_user(
                [server_bin("initdb"), "-D", data, "-U", DB_USER, "-A", "trust", "-E", "UTF8", "--no-locale"]
            ),
            **run,
        )
        options = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off"
        subprocess.run(
            _as_server_user(
                [server_bin("pg_ctl"), "-D", data, "-o", options, "-l", os.path.join(root, "server.log"), "-w", "start"]
            ),
            **run,
        )
        subprocess.run([server_bin("createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", DB_USER, DB_NAME], **run)
        yield f"postgresql://{DB_USER}@127.0.0.1:{port}/{DB_NAME}"
    finally:
        subprocess.run(
            _as_server_user([server_bin("pg_ctl"), "-D", data, "-m", "immediate", "stop"]),
            capture_output=True,
            timeout=60,
        )
        shutil.rmtree(root, ignore_errors=True)


@contextmanager
def throwaway_redis() -> Iterator[int]:
    """Start a Redis server on a free loopback port with no persistence; yield its port."""
    import redis

    port = free_port()
    proc = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:

        def answers() -> bool:
            try:
                return bool(redis.Redis(host="127.0.0.1", port=port, socket_timeout=1).ping())
            except redis.ConnectionError:
                return False

        wait_until(answers, 30, "redis", proc)
        yield port
    finally:
        proc.terminate()
        proc.wait(timeout=30)


@contextmanager
def scaled_servers(workdir: Path, count: int = 2, today: str = "2024-10-30") -> Iterator[Dict[str, Any]]:
    """``count`` Rasa servers sharing one action server, a PostgreSQL tracker store and a Redis lock
    store (endpoints.scaled.yml), as in a deployment behind a load balancer.

    Yields ``{"bases": [base URL of each Rasa server], "database": the PostgreSQL URL}``."""
    with throwaway_postgres() as pg_url, throwaway_redis() as redis_port:
        action_port = free_port()
        env = base_env(
            ACTION_ENDPOINT_URL=f"http://127.0.0.1:{action_port}/webhook",
            TRACKER_STORE_URL=pg_url,
            ZHICHENG_DATABASE_URL=pg_url,
            ZHICHENG_TODAY=today,
            REDIS_HOST="127.0.0.1",
            REDIS_PORT=str(redis_port),
            REDIS_DB="1",
            REDIS_PASSWORD="",
        )
        logs = [open(workdir / "actions.log", "w")] + [open(workdir / f"rasa-{i}.log", "w") for i in range(count)]
        procs = [start_action_server(action_port, env, logs[0])]
        bases: List[str] = []
        try:
            for log in logs[1:]:
                port = free_port()
                procs.append(start_rasa_server(port, env, log, endpoints="endpoints.scaled.yml"))
                bases.append(f"http://127.0.0.1:{port}")
            wait_action_server(action_port, procs[0])
            for base, proc in zip(bases, procs[1:]):
                wait_rasa_server(base, proc)
            yield {"bases": bases, "database": pg_url}
        finally:
            stop(procs)
            for log in logs:
                log.close()
