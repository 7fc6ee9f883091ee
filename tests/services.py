"""A throwaway PostgreSQL server for tests: its own data folder, its own port, gone afterwards.

Uses Debian's server binaries (``make postgres`` installs the ``postgresql`` package when they are
missing). PostgreSQL refuses to run as root, so as root the server runs as the ``postgres`` user.
Nothing here mocks the database: the project's tables and Rasa's tracker store talk to a real server.
"""
from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from contextlib import contextmanager
from typing import Iterator, List

from tests.helpers import free_port

DB_USER = "zhicheng"
DB_NAME = "zhicheng"


def server_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not found:
        raise RuntimeError(f"PostgreSQL's {name} not found: run `make postgres` (installs Debian's postgresql)")
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
        subprocess.run(_as_server_user([server_bin("initdb"), "-D", data, "-U", DB_USER, "-A", "trust",
                                        "-E", "UTF8", "--no-locale"]), **run)
        options = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off"
        subprocess.run(_as_server_user([server_bin("pg_ctl"), "-D", data, "-o", options, "-l",
                                        os.path.join(root, "server.log"), "-w", "start"]), **run)
        subprocess.run([server_bin("createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", DB_USER, DB_NAME], **run)
        yield f"postgresql://{DB_USER}@127.0.0.1:{port}/{DB_NAME}"
    finally:
        subprocess.run(_as_server_user([server_bin("pg_ctl"), "-D", data, "-m", "immediate", "stop"]),
                       capture_output=True, timeout=60)
        shutil.rmtree(root, ignore_errors=True)
