"""The production profile's generated nginx configuration (bot/deploy/prod.py), without the model:
nginx accepts it, and it exposes only the channels with the body limits of bot/plugins/channels/limits.py."""

import shutil
import subprocess
from pathlib import Path

import pytest

from bot.deploy import prod

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"  # installed by make services, which make test runs


def test_nginx_accepts_the_generated_configuration(tmp_path: Path):
    (tmp_path / "logs").mkdir()
    (tmp_path / "nginx" / "tmp").mkdir(parents=True)
    conf = tmp_path / "nginx" / "nginx.conf"
    conf.write_text(prod.nginx_conf(tmp_path, "127.0.0.1", 8000, [4001, 4002], 65536, 32768))
    checked = subprocess.run(
        [NGINX, "-t", "-p", str(tmp_path / "nginx"), "-e", str(tmp_path / "logs" / "e.log"), "-c", str(conf)],
        capture_output=True,
        text=True,
    )
    assert checked.returncode == 0, checked.stderr


def test_only_channels_are_routed_and_nothing_personal_is_logged():
    text = prod.nginx_conf(Path("/v"), "127.0.0.1", 8000, [4001, 4002], 65536, 32768)
    locations = [line.strip() for line in text.splitlines() if line.strip().startswith("location")]
    assert locations == [
        "location = /webhooks/rest/webhook {",
        "location = /webhooks/wechat/webhook {",
        "location /socket.io/ {",
        r"location ~ ^/webchat/(widget\.js|widget\.css|demo\.html)$ {",
        "location / {",
    ]
    assert "return 404;" in text.split("location / {")[1]
    assert "client_max_body_size 65536;" in text and "client_max_body_size 32768;" in text
    assert "hash $remote_addr consistent;" in text and "proxy_set_header Upgrade $http_upgrade;" in text
    assert text.count("server 127.0.0.1:4001") == 2
    assert not [line for line in text.splitlines() if "proxy_next_upstream" in line and "non_idempotent" in line]
    log_format = text.split("log_format")[1].split(";")[0]
    assert "$uri" in log_format and "$request " not in log_format and "$request_uri" not in log_format
    assert "$args" not in log_format and "$request_body" not in log_format


def test_a_token_starting_with_a_dash_stays_one_argument():
    """About 1 generated token in 64 starts with "-": as a separate argument rasa run refused it."""
    from bot.settings import rasa_run_args

    args = rasa_run_args({"RASA_AUTH_TOKEN": "-x1"}, port=5005)
    assert "--auth-token=-x1" in args and "-x1" not in args


def test_purge_interval_from_the_environment():
    assert prod._purge_every({}) == prod.PURGE_EVERY_DEFAULT == 86400
    assert prod._purge_every({"ZHICHENG_PURGE_EVERY_SECONDS": "3600"}) == 3600
    for wrong in ("0", "-5", "daily", "nan"):
        with pytest.raises(ValueError, match="ZHICHENG_PURGE_EVERY_SECONDS"):
            prod._purge_every({"ZHICHENG_PURGE_EVERY_SECONDS": wrong})


def test_restart_knows_what_up_started_and_keeps_secrets_private(tmp_path: Path):
    import json
    import os
    import stat

    (tmp_path / "state.json").write_text(json.dumps({"pg_port": 1, "redis_port": 2}))
    prod._remember(
        tmp_path,
        "actions",
        ["python", "-m", "bot.plugins.action_server"],
        dict(os.environ, ACTION_SERVER_TOKEN="s3cret"),
    )
    known = json.loads((tmp_path / "services.json").read_text())
    assert known["actions"]["env"] == {"ACTION_SERVER_TOKEN": "s3cret"}  # only what up added
    assert stat.S_IMODE((tmp_path / "services.json").stat().st_mode) == 0o600
    with pytest.raises(ValueError, match="nginx"):
        prod.restart("nginx", str(tmp_path))


def test_no_request_is_sent_on_a_kept_connection_to_a_server():
    """A kept-alive connection to a Rasa server that has just been killed (or that is closing it as it
    idles out) takes the POST sent on it down with a 502 — nginx never sends a POST twice. A fresh
    connection to a dead server is refused before anything is sent, and nginx tries the next server.
    So nginx keeps no pool of connections to the servers (the loopback connect costs far less than
    a turn)."""
    text = prod.nginx_conf(Path("/v"), "127.0.0.1", 8000, [4001, 4002], 65536, 32768)
    for upstream in text.split("upstream ")[1:]:
        assert "keepalive" not in upstream.split("}")[0]
