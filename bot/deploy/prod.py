"""The production profile on one machine: nginx in front of N Rasa servers, the action server,
PostgreSQL, Redis and the staff service, all under one state folder (``var/prod`` by default).

    python -m bot.deploy.prod up [--servers N] [--port P] [--var DIR]     # make run-prod
    python -m bot.deploy.prod down [--var DIR]                            # make stop
    python -m bot.deploy.prod status [--var DIR]
    python -m bot.deploy.prod restart NAME [--var DIR]                    # one process: actions, rasa-0, postgres, …

``up`` initialises a PostgreSQL cluster in ``DIR/pg`` on first run (own data folder, loopback
only, password from ``DIR/db_password``), creates the database, runs the project's Alembic
migrations (Rasa creates its own tables), starts Redis (loopback, password), the action server,
N Rasa servers (PostgreSQL tracker store, the atomic Redis lock store: endpoints.scaled.yml), the
staff service (loopback), the scheduled purge (``python -m bot.storage.purge --every``, docs/retention.md) and
nginx with a configuration generated into ``DIR/nginx/``. Only nginx
is meant to be reached from outside; see docs/deployment.md ("Production profile"). Each process's
PID is in ``DIR/<name>.pid``, its log in ``DIR/logs/``; ``down`` stops them all. ``restart NAME``
stops one process and starts it again as ``up`` did (command and settings kept, mode 600, in
``DIR/services.json``), then waits until it answers: what an operator — or a supervisor — does
after a crash (docs/deployment.md, "Faults").

Environment (all optional): ``PROD_SERVERS`` (2), ``PROD_LISTEN`` (127.0.0.1), ``PROD_PORT``
(8000), ``PROD_PG_PORT`` / ``PROD_REDIS_PORT`` / ``PROD_ACTION_PORT`` / ``PROD_STAFF_PORT`` (a free
port when unset); ``ZHICHENG_PURGE_EVERY_SECONDS`` (86400: the purge runs at start and then once a
day); the limits and the other settings as in bot.settings.

The PostgreSQL helpers (:func:`server_bin`, :func:`as_server_user`) are shared with the tests'
throwaway servers (tests/services.py). PostgreSQL refuses to run as root, so as root its commands
run as the ``postgres`` user.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any, Callable, Dict, List, Mapping, Optional

from bot.settings import ROOT, ensure_token, get_security_settings, get_settings, rasa_run_args

DB_USER = "zhicheng"
DB_NAME = "zhicheng"
DEFAULT_VAR = os.path.join(ROOT, "var", "prod")
MODEL = os.path.join(ROOT, "models", "assistant.tar.gz")
# Started in this order, stopped in the reverse one.
ORDER = ["postgres", "redis", "actions", "rasa", "staff", "purge", "nginx"]
PURGE_EVERY_DEFAULT = 86400


# --- PostgreSQL (shared with tests/services.py) -------------------------------------------------
def server_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not found:
        raise RuntimeError(
            f"PostgreSQL's {name} not found: run `make services` (installs Debian's postgresql, redis-server and nginx)"
        )
    return found[-1]


def as_server_user(cmd: List[str]) -> List[str]:
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *cmd]
    return cmd


def give_to_server_user(*paths: str) -> None:
    if os.geteuid() == 0:
        for p in paths:
            shutil.chown(p, "postgres", "postgres")


# --- small helpers ------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _secret(var: Path, name: str) -> str:
    path = var / name
    if path.exists():
        return path.read_text().strip()
    value = secrets.token_urlsafe(24)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(value + "\n")
    return value


def _listening(port: int, host: str = "127.0.0.1") -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def _get_json(url: str) -> Dict[str, Any]:
    with urllib.request.urlopen(url, timeout=5) as r:
        data: Dict[str, Any] = json.loads(r.read().decode())
        return data


def _wait(
    check: Callable[..., object],
    timeout: float,
    what: str,
    proc: Optional[subprocess.Popen[bytes]] = None,
    log: Optional[Path] = None,
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            tail = log.read_text(errors="replace")[-2000:] if log and log.exists() else ""
            raise RuntimeError(f"{what} exited with {proc.returncode}\n{tail}")
        try:
            if check():
                return
        except (OSError, ValueError):
            pass
        time.sleep(0.5)
    raise TimeoutError(f"{what} not ready after {timeout}s")


def _alive(pid: int) -> bool:
    try:
        os.waitpid(pid, os.WNOHANG)  # reap it if it is our own child
    except ChildProcessError:
        pass
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (FileNotFoundError, IndexError):
        return False


def _pid_files(var: Path) -> List[Path]:
    files = sorted(var.glob("*.pid"))
    rank = {name: i for i, name in enumerate(ORDER)}
    return sorted(files, key=lambda p: -rank.get(p.stem.split("-")[0], -1))


# --- the configuration --------------------------------------------------------------------------
def nginx_conf(var: Path, listen: str, port: int, rasa_ports: List[int], max_body: int, wechat_body: int) -> str:
    servers = "\n".join(f"        server 127.0.0.1:{p} max_fails=1 fail_timeout=10s;" for p in rasa_ports)
    proxy = """
            proxy_http_version 1.1;
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_set_header Connection "";"""
    return f"""# Generated by python -m bot.deploy.prod (make run-prod); rewritten on every start. docs/deployment.md
worker_processes auto;
pid {var}/nginx.pid;
error_log {var}/logs/nginx-error.log warn;
events {{ worker_connections 1024; }}

http {{
    server_tokens off;
    default_type application/octet-stream;
    # No query string (WeChat's carries openid and signature), no body, no referer: $uri, not $request.
    log_format noquery '$remote_addr [$time_local] "$request_method $uri $server_protocol" $status '
                       '$body_bytes_sent $request_time "$upstream_addr" $upstream_status';
    access_log {var}/logs/nginx-access.log noquery;
    client_body_temp_path {var}/nginx/tmp/body;
    proxy_temp_path {var}/nginx/tmp/proxy;
    fastcgi_temp_path {var}/nginx/tmp/fastcgi;
    uwsgi_temp_path {var}/nginx/tmp/uwsgi;
    scgi_temp_path {var}/nginx/tmp/scgi;
    # Bodies are never larger than the Rasa server reads (bot/plugins/channels/limits.py): kept in memory.
    client_max_body_size {max_body};
    client_body_buffer_size {max(max_body, wechat_body)};
    proxy_max_temp_file_size 0;
    proxy_connect_timeout 2s;

    # REST and WeChat: round robin over every server (each reads the conversation from PostgreSQL;
    # the Redis lock store orders one conversation's messages). A server that refuses the connection
    # or does not accept it within 2 s is skipped and rested for 10 s; a POST already sent is never
    # sent twice (no non_idempotent), and a server's own answer (even 503) is passed on as it is.
    # No pool of idle connections (no keepalive): a request kept open to a server that has just died,
    # or that the server is closing as it idles out, would take a POST sent on it down with a 502.
    # A fresh connection to a dead server is refused before anything is sent and goes to the next.
    upstream rasa {{
{servers}
    }}
    # socket.io: an Engine.IO session lives in one server's memory, so one client, one server.
    upstream rasa_sticky {{
        hash $remote_addr consistent;
{servers}
    }}
    map $http_upgrade $connection_upgrade {{
        default upgrade;
        ''      close;
    }}

    server {{
        listen {listen}:{port};

        location = /webhooks/rest/webhook {{
            limit_except POST {{ deny all; }}
            proxy_pass http://rasa;
            proxy_next_upstream error timeout;
            proxy_read_timeout 60s;{proxy}
        }}
        location = /webhooks/wechat/webhook {{
            client_max_body_size {wechat_body};
            # nginx's error lines quote the request line, whose query carries openid and signature.
            error_log {var}/logs/nginx-error.log crit;
            proxy_pass http://rasa;
            proxy_next_upstream error timeout;
            proxy_read_timeout 10s;{proxy}
        }}
        location /socket.io/ {{
            proxy_pass http://rasa_sticky;
            proxy_next_upstream error timeout;
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_buffering off;
            proxy_read_timeout 120s;
        }}
        location ~ ^/webchat/(widget\\.js|widget\\.css|demo\\.html)$ {{
            limit_except GET {{ deny all; }}
            proxy_pass http://rasa;
            proxy_next_upstream error timeout;{proxy}
        }}
        # Rasa's HTTP API (/model, /conversations, /status, …) and everything else: not here.
        location / {{
            return 404;
        }}
    }}
}}
"""


# --- up / down ----------------------------------------------------------------------------------
def _remember(var: Path, name: str, cmd: List[str], env: Mapping[str, str]) -> None:
    """Keep how ``name`` was started (command, and the settings ``up`` added to the environment)
    for :func:`restart`. Secrets included, so the file is readable by its owner only."""
    path = var / "services.json"
    known = json.loads(path.read_text()) if path.exists() else {}
    known[name] = {"cmd": cmd, "env": {k: v for k, v in env.items() if os.environ.get(k) != v}}
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump(known, f, indent=2)


def _spawn(var: Path, name: str, cmd: List[str], env: Mapping[str, str]) -> subprocess.Popen[bytes]:
    _remember(var, name, cmd, env)
    log = var / "logs" / f"{name}.log"
    with open(log, "ab") as out:
        proc = subprocess.Popen(
            cmd,
            cwd=ROOT,
            env=dict(env),
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    (var / f"{name}.pid").write_text(f"{proc.pid}\n")
    return proc


def _port(env: Mapping[str, str], name: str) -> int:
    raw = (env.get(name) or "").strip()
    return int(raw) if raw else free_port()


def _pg_start(var: Path, port: int) -> None:
    """``pg_ctl start`` the cluster in ``var/pg/data`` on ``port`` (loopback, no Unix socket) and
    record its PID; waits until it accepts connections."""
    log = var / "logs" / "postgres.log"
    log.touch()
    give_to_server_user(str(log))
    options = f"-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=''"
    subprocess.run(
        as_server_user(
            [server_bin("pg_ctl"), "-D", str(var / "pg" / "data"), "-o", options, "-l", str(log), "-w", "start"]
        ),
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    )
    pid = (var / "pg" / "data" / "postmaster.pid").read_text().split()[0]
    (var / "postgres.pid").write_text(pid + "\n")


def _pg_stop(var: Path, timeout: int = 90) -> None:
    """``pg_ctl stop -m fast``: open connections are ended, the cluster shuts down cleanly. Returns
    once the postmaster process is gone, not only its PID file (pg_ctl's test): on a loaded machine
    the process outlives the file by a moment. A cluster that does not stop within ``timeout`` is
    stopped with ``-m immediate`` (crash recovery on the next start), then killed."""
    data = var / "pg" / "data"
    pid_file = data / "postmaster.pid"
    try:
        pid: Optional[int] = int(pid_file.read_text().split()[0])
    except (FileNotFoundError, IndexError, ValueError):
        pid = None
    for mode, wait in (("fast", timeout), ("immediate", 30)):
        try:
            subprocess.run(
                as_server_user([server_bin("pg_ctl"), "-D", str(data), "-m", mode, "-w", "-t", str(wait), "stop"]),
                capture_output=True,
                timeout=wait + 30,
            )
        except subprocess.TimeoutExpired:
            pass
        deadline = time.monotonic() + 10
        while pid is not None and _alive(pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        if pid is None or not _alive(pid):
            return
    assert pid is not None
    _signal("postgres", pid, signal.SIGKILL)
    deadline = time.monotonic() + 5
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)


def _postgres(var: Path, port: int, env: Mapping[str, str]) -> str:
    """Initialise (first run) and start the cluster; return the database URL."""
    password = _secret(var, "db_password")
    pg, data = var / "pg", var / "pg" / "data"
    run: Dict[str, Any] = dict(check=True, capture_output=True, text=True, timeout=120)
    if not (data / "PG_VERSION").exists():
        pg.mkdir(exist_ok=True)
        give_to_server_user(str(pg))
        pwfile = pg / "pwfile"
        pwfile.write_text(password + "\n")
        os.chmod(pwfile, 0o600)
        give_to_server_user(str(pwfile))
        try:
            subprocess.run(
                as_server_user(
                    [
                        server_bin("initdb"),
                        "-D",
                        str(data),
                        "-U",
                        DB_USER,
                        "--pwfile",
                        str(pwfile),
                        "-A",
                        "scram-sha-256",
                        "-E",
                        "UTF8",
                        "--no-locale",
                    ]
                ),
                **run,
            )
        finally:
            pwfile.unlink(missing_ok=True)
    _pg_start(var, port)
    pg_env = dict(env, PGPASSWORD=password)
    exists = subprocess.run(
        [
            server_bin("psql"),
            "-h",
            "127.0.0.1",
            "-p",
            str(port),
            "-U",
            DB_USER,
            "-d",
            "postgres",
            "-tAc",
            f"select 1 from pg_database where datname = '{DB_NAME}'",
        ],
        env=pg_env,
        **run,
    ).stdout.strip()
    if exists != "1":
        subprocess.run(
            [server_bin("createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", DB_USER, DB_NAME], env=pg_env, **run
        )
    return f"postgresql://{DB_USER}:{password}@127.0.0.1:{port}/{DB_NAME}"


def up(
    var_dir: Optional[str] = None,
    servers: Optional[int] = None,
    port: Optional[int] = None,
    env: Optional[Mapping[str, str]] = None,
    timeout: float = 300,
) -> Dict[str, Any]:
    """Start the whole profile and wait until nginx answers through every part. Returns the public
    URL, the ports and the database URL. On failure everything already started is stopped."""
    base = dict(os.environ if env is None else env)
    var = Path(var_dir or base.get("PROD_VAR") or DEFAULT_VAR).resolve()
    if any(_alive(int(p.read_text().split()[0])) for p in var.glob("*.pid") if p.read_text().strip()):
        raise RuntimeError(f"the profile in {var} is already running (python -m bot.deploy.prod down stops it)")
    for sub in ("logs", "nginx/tmp"):
        (var / sub).mkdir(parents=True, exist_ok=True)
    servers = servers or int(base.get("PROD_SERVERS") or 2)
    listen = base.get("PROD_LISTEN") or "127.0.0.1"
    public = port or int(base.get("PROD_PORT") or 8000)
    every = _purge_every(base)
    (var / "services.json").unlink(missing_ok=True)
    try:
        pg_port = _port(base, "PROD_PG_PORT")
        db_url = _postgres(var, pg_port, base)
        redis_port, redis_password = _port(base, "PROD_REDIS_PORT"), _secret(var, "redis_password")
        conf = var / "redis.conf"
        conf.write_text(
            f"port {redis_port}\nbind 127.0.0.1\nprotected-mode yes\nsave \"\"\nappendonly no\n"
            f"dir {var}\nrequirepass {redis_password}\n"
        )
        os.chmod(conf, 0o600)
        _spawn(var, "redis", ["redis-server", str(conf)], base)

        action_port, staff_port = _port(base, "PROD_ACTION_PORT"), _port(base, "PROD_STAFF_PORT")
        rasa_ports = [free_port() for _ in range(servers)]
        origins = f"http://{listen}:{public} http://localhost:{public} http://127.0.0.1:{public}"
        run_env = dict(
            base,
            PYTHONPATH=ROOT,
            TF_CPP_MIN_LOG_LEVEL="2",
            RASA_TELEMETRY_ENABLED="false",
            SANIC_REGISTER="False",
            SQLALCHEMY_SILENCE_UBER_WARNING="1",
            ZHICHENG_DATABASE_URL=db_url,
            TRACKER_STORE_URL=db_url,
            ACTION_ENDPOINT_URL=f"http://127.0.0.1:{action_port}/webhook",
            ACTION_SERVER_HOST="127.0.0.1",
            ACTION_SERVER_PORT=str(action_port),
            REDIS_HOST="127.0.0.1",
            REDIS_PORT=str(redis_port),
            REDIS_DB="1",
            REDIS_PASSWORD=redis_password,
            RASA_HOST="127.0.0.1",
            ZHICHENG_TRUST_PROXY="1",  # only nginx reaches the Rasa servers: its X-Forwarded-For is the client
            RASA_URL=f"http://127.0.0.1:{rasa_ports[0]}",
            STAFF_HOST="127.0.0.1",
            STAFF_PORT=str(staff_port),
            STAFF_TRUST_PROXY="0",
            ZHICHENG_CORS_ORIGINS=base.get("ZHICHENG_CORS_ORIGINS") or origins,
        )
        for name in ("RASA_AUTH_TOKEN", "ACTION_SERVER_TOKEN"):
            run_env[name] = ensure_token(name, base, var_dir=str(var))
        # The Rasa servers first: loading the model takes longest, and they need only their own
        # table. The project's tables (Alembic) before the action server and staff service use them.
        procs = {}
        for i, p in enumerate(rasa_ports):
            procs[f"rasa-{i}"] = _spawn(
                var,
                f"rasa-{i}",
                [
                    sys.executable,
                    "-m",
                    "bot.plugins.rasa_main",
                    "run",
                    "--model",
                    MODEL,
                    "--endpoints",
                    "endpoints.scaled.yml",
                    "--credentials",
                    "credentials.yml",
                    *rasa_run_args(run_env, port=p),
                ],
                run_env,
            )
        migrated = subprocess.run(
            [sys.executable, "-m", "bot.storage.migrate", "upgrade"],
            cwd=ROOT,
            env=run_env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        if migrated.returncode:
            raise RuntimeError(
                f"python -m bot.storage.migrate upgrade failed:\n{migrated.stdout[-2000:]}{migrated.stderr[-2000:]}"
            )
        procs["actions"] = _spawn(
            var, "actions", [sys.executable, "-m", "bot.plugins.action_server", "--port", str(action_port)], run_env
        )
        procs["staff"] = _spawn(var, "staff", [sys.executable, "-m", "bot.staff", "serve"], run_env)

        sec = get_security_settings(run_env)
        wechat_body = get_settings(run_env).wechat.max_body_bytes
        (var / "nginx" / "nginx.conf").write_text(
            nginx_conf(var, listen, public, rasa_ports, sec.max_body_bytes, wechat_body)
        )
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        subprocess.run(
            [
                nginx,
                "-p",
                str(var / "nginx"),
                "-e",
                str(var / "logs" / "nginx-error.log"),
                "-c",
                str(var / "nginx" / "nginx.conf"),
            ],
            check=True,
            capture_output=True,
            text=True,
            timeout=60,
        )

        _wait(lambda: _listening(redis_port), 30, "redis")
        _wait(
            lambda: _get_json(f"http://127.0.0.1:{action_port}/health")["status"] == "ok",
            120,
            "action server",
            procs["actions"],
            var / "logs" / "actions.log",
        )
        token = run_env["RASA_AUTH_TOKEN"]
        for i, p in enumerate(rasa_ports):
            _wait(
                lambda p=p: bool(_get_json(f"http://127.0.0.1:{p}/status?token={token}").get("model_file")),
                timeout,
                f"rasa server {i}",
                procs[f"rasa-{i}"],
                var / "logs" / f"rasa-{i}.log",
            )
        _wait(lambda: _listening(staff_port), 60, "staff service", procs["staff"], var / "logs" / "staff.log")
        # The purge deletes from Rasa's events table too: started once the Rasa servers created it.
        _spawn(var, "purge", [sys.executable, "-m", "bot.storage.purge", "--every", f"{every:g}"], run_env)
        _wait(lambda: _listening(public, "127.0.0.1" if listen in ("0.0.0.0", "*") else listen), 30, "nginx")
    except BaseException:
        down(str(var))
        raise
    state = {
        "url": f"http://{listen}:{public}",
        "rasa_ports": rasa_ports,
        "action_port": action_port,
        "staff_port": staff_port,
        "redis_port": redis_port,
        "pg_port": pg_port,
        "database": db_url,
        "purge_every": every,
        "var": str(var),
    }
    (var / "state.json").write_text(json.dumps(state, indent=2))
    os.chmod(var / "state.json", 0o600)
    return state


def pids(var_dir: Optional[str] = None) -> Dict[str, int]:
    var = Path(var_dir or DEFAULT_VAR)
    out = {}
    for f in _pid_files(var):
        text = f.read_text().strip()
        if text:
            out[f.stem] = int(text.split()[0])
    return out


def _signal(name: str, pid: int, sig: int) -> None:
    try:
        if name in ("nginx", "postgres"):
            os.kill(pid, sig)
        else:
            os.killpg(pid, sig)  # started in its own session: the process and anything it started
    except (ProcessLookupError, PermissionError):
        pass


def down(var_dir: Optional[str] = None, timeout: float = 30) -> List[str]:
    """Stop everything the profile in ``var_dir`` started: nginx first (no new requests), then the
    Rasa servers, the action server and the staff service together, then Redis, then PostgreSQL
    (``pg_ctl stop -m fast``). What does not stop within ``timeout`` seconds is killed. Returns the
    names of the processes that were running."""
    var = Path(var_dir or DEFAULT_VAR).resolve()
    running: Dict[str, int] = {}
    for f in _pid_files(var):
        text = f.read_text().strip()
        if text and _alive(int(text.split()[0])):
            running[f.stem] = int(text.split()[0])
    phases = [
        ["nginx"],
        [n for n in running if n.split("-")[0] in ("rasa", "actions", "staff", "purge")],
        ["redis"],
        ["postgres"],
    ]
    for phase in phases:
        batch = {n: running[n] for n in phase if n in running}
        for name, pid in batch.items():
            if name == "postgres":
                _pg_stop(var)
            else:
                _signal(name, pid, signal.SIGQUIT if name == "nginx" else signal.SIGTERM)  # nginx: graceful
        deadline = time.monotonic() + timeout
        while any(_alive(pid) for pid in batch.values()) and time.monotonic() < deadline:
            time.sleep(0.1)
        for name, pid in batch.items():
            if _alive(pid):
                _signal(name, pid, signal.SIGKILL)
        for pid in batch.values():
            for _ in range(20):
                if not _alive(pid):
                    break
                time.sleep(0.1)
    for f in var.glob("*.pid"):
        f.unlink(missing_ok=True)
    return list(running)


def _purge_every(env: Mapping[str, str]) -> float:
    raw = (env.get("ZHICHENG_PURGE_EVERY_SECONDS") or "").strip()
    try:
        every = float(raw) if raw else PURGE_EVERY_DEFAULT
    except ValueError:
        every = -1
    if not every > 0:
        raise ValueError(f"ZHICHENG_PURGE_EVERY_SECONDS must be a number of seconds above 0, not {raw!r}")
    return every


def _stop_one(name: str, pid: int, timeout: float) -> None:
    _signal(name, pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    if _alive(pid):
        _signal(name, pid, signal.SIGKILL)
        deadline = time.monotonic() + 5
        while _alive(pid) and time.monotonic() < deadline:
            time.sleep(0.1)


def restart(name: str, var_dir: Optional[str] = None, timeout: float = 300) -> int:
    """Stop ``name`` (if it still runs; SIGTERM, SIGKILL after 30 s) and start it again as ``up``
    did, then wait until it answers. ``name`` is a process of the profile (``python -m bot.deploy.prod
    status`` lists them): ``postgres`` is stopped and started with ``pg_ctl``; ``nginx`` is not
    restarted this way (``nginx -s reload`` re-reads its configuration). Returns the new PID."""
    var = Path(var_dir or DEFAULT_VAR).resolve()
    state = json.loads((var / "state.json").read_text())
    pid_file = var / f"{name}.pid"
    old = int(pid_file.read_text().split()[0]) if pid_file.exists() and pid_file.read_text().strip() else None
    if name == "postgres":
        if old is not None and _alive(old):
            _pg_stop(var)
        _pg_start(var, int(state["pg_port"]))
        return int((var / "postgres.pid").read_text().split()[0])
    known = json.loads((var / "services.json").read_text())
    if name not in known:
        raise ValueError(f"{name!r} is not a process restart knows: one of postgres, {', '.join(sorted(known))}")
    if old is not None and _alive(old):
        _stop_one(name, old, 30)
    env = dict(os.environ, **known[name]["env"])
    proc = _spawn(var, name, known[name]["cmd"], env)
    log = var / "logs" / f"{name}.log"
    if name == "redis":
        _wait(lambda: _listening(int(state["redis_port"])), 30, "redis", proc, log)
    elif name == "actions":
        _wait(
            lambda: _get_json(f"http://127.0.0.1:{state['action_port']}/health")["status"] == "ok",
            timeout,
            "action server",
            proc,
            log,
        )
    elif name.startswith("rasa-"):
        port, token = state["rasa_ports"][int(name.split("-")[1])], env["RASA_AUTH_TOKEN"]
        _wait(
            lambda: bool(_get_json(f"http://127.0.0.1:{port}/status?token={token}").get("model_file")),
            timeout,
            f"rasa server {name}",
            proc,
            log,
        )
    elif name == "staff":
        _wait(lambda: _listening(int(state["staff_port"])), 60, "staff service", proc, log)
    return proc.pid


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.deploy.prod", description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=("up", "down", "status", "restart"))
    parser.add_argument("name", nargs="?", help="restart: the process (as listed by status)")
    parser.add_argument("--var", default=None, help=f"state folder (default PROD_VAR or {DEFAULT_VAR})")
    parser.add_argument("--servers", type=int, default=None, help="Rasa servers (default PROD_SERVERS or 2)")
    parser.add_argument("--port", type=int, default=None, help="nginx port (default PROD_PORT or 8000)")
    args = parser.parse_args(argv)
    var = args.var or os.environ.get("PROD_VAR") or DEFAULT_VAR
    if args.command == "up":
        state = up(var, args.servers, args.port)
        print(
            f"production profile up: {state['url']} (nginx → {len(state['rasa_ports'])} Rasa servers); "
            f"staff page on http://127.0.0.1:{state['staff_port']} (loopback); logs in {var}/logs; make stop stops it"
        )
        return 0
    if args.command == "down":
        stopped = down(var)
        print("stopped: " + (", ".join(stopped) if stopped else "nothing was running"))
        return 0
    if args.command == "restart":
        if not args.name:
            parser.error("restart needs the process name (python -m bot.deploy.prod status lists them)")
        print(f"{args.name} restarted: pid {restart(args.name, var)}")
        return 0
    for name, pid in pids(var).items():
        print(f"{name:10} {pid:8} {'running' if _alive(pid) else 'gone'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
