"""The Kubernetes manifests (deploy/k8s/base) hold together, and bot/deploy/kube.py turns them into
the pods podman plays as a cluster would run them. No podman here: make test-k8s plays them."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List

import pytest
import yaml

from bot.deploy import kube
from bot.settings import ROOT

BASE = Path(ROOT) / "deploy" / "k8s" / "base"
SECRET = {
    "RASA_AUTH_TOKEN": "-tok$en",
    "ACTION_SERVER_TOKEN": "act",
    "POSTGRES_PASSWORD": "pw",
    "REDIS_PASSWORD": "rpw",
    "ZHICHENG_DATABASE_URL": "postgresql://zhicheng:pw@postgres:5432/zhicheng",
    "TRACKER_STORE_URL": "postgresql://zhicheng:pw@postgres:5432/zhicheng",
}
IMAGES = {
    "rasa": "localhost/zhicheng/rasa:1",
    "app": "localhost/zhicheng/app:2",
    "postgres": "localhost/zhicheng/postgres:3",
    "redis": "localhost/zhicheng/redis:4",
    "frontdoor": "localhost/zhicheng/frontdoor:5",
}


@pytest.fixture(scope="module")
def docs() -> List[Dict[str, Any]]:
    listed = yaml.safe_load((BASE / "kustomization.yaml").read_text())["resources"]
    assert sorted(listed) == sorted(p.name for p in BASE.glob("*.yaml") if p.name != "kustomization.yaml")
    return [d for name in listed for d in yaml.safe_load_all((BASE / name).read_text()) if d]


def pod_specs(docs: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    out = []
    for d in docs:
        if d["kind"] in ("Deployment", "Job"):
            out.append(d["spec"]["template"])
        elif d["kind"] == "CronJob":
            out.append(d["spec"]["jobTemplate"]["spec"]["template"])
    return out


def test_every_reference_in_the_manifests_resolves(docs):
    names = {(d["kind"], d["metadata"]["name"]) for d in docs}
    deployments = [d for d in docs if d["kind"] == "Deployment"]
    for template in pod_specs(docs):
        spec = template["spec"]
        for c in spec.get("initContainers", []) + spec["containers"]:
            assert c["image"].split(":")[0] in {f"zhicheng/{n}" for n in IMAGES}, c["image"]
            for source in c.get("envFrom", []):
                if "configMapRef" in source:
                    assert ("ConfigMap", source["configMapRef"]["name"]) in names
                else:
                    assert source["secretRef"]["name"] == kube.SECRET_NAME  # the one Secret an operator creates
            port_names = {p.get("name") for p in c.get("ports", [])}
            for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
                for kind in ("httpGet", "tcpSocket"):
                    port = c.get(probe, {}).get(kind, {}).get("port")
                    assert port is None or isinstance(port, int) or port in port_names, (c["name"], probe)
        for vol in spec.get("volumes", []):
            if "configMap" in vol:
                assert ("ConfigMap", vol["configMap"]["name"]) in names
            if "persistentVolumeClaim" in vol:
                assert ("PersistentVolumeClaim", vol["persistentVolumeClaim"]["claimName"]) in names
    for svc in (d for d in docs if d["kind"] == "Service"):
        selected = [
            d
            for d in deployments
            if kube._selects(svc["spec"]["selector"], d["spec"]["template"]["metadata"]["labels"])
        ]
        assert len(selected) == 1, svc["metadata"]["name"]
    hpa = next(d for d in docs if d["kind"] == "HorizontalPodAutoscaler")
    assert ("Deployment", hpa["spec"]["scaleTargetRef"]["name"]) in names


def test_the_services_processes_run_unprivileged_and_the_rasa_pods_are_probed(docs):
    for template in pod_specs(docs):
        for c in template["spec"]["containers"]:
            if c["image"] in ("zhicheng/rasa", "zhicheng/app"):
                sc = c["securityContext"]
                assert sc["runAsNonRoot"] and sc["runAsUser"] == 10001 and not sc["allowPrivilegeEscalation"]
                assert sc["capabilities"]["drop"] == ["ALL"]
    rasa = next(d for d in docs if d["kind"] == "Deployment" and d["metadata"]["name"] == "rasa")
    c = rasa["spec"]["template"]["spec"]["containers"][0]
    assert {"startupProbe", "readinessProbe", "livenessProbe"} <= set(c)
    assert rasa["spec"]["replicas"] >= 2 and rasa["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"] == 0
    assert "endpoints.scaled.yml" in c["command"]  # the Redis lock store: any pod may take any message


def test_the_front_door_routes_only_the_public_paths(docs):
    conf = next(d for d in docs if d["kind"] == "ConfigMap" and d["metadata"]["name"] == "frontdoor-nginx")
    nginx = conf["data"]["nginx.conf"]
    routed = [line.split()[1:-1] for line in nginx.splitlines() if line.strip().startswith("location")]
    assert routed == [
        ["=", "/webhooks/rest/webhook"],
        ["=", "/webhooks/wechat/webhook"],
        ["/socket.io/"],
        ["~", r"^/webchat/(widget\.js|widget\.css|demo\.html)$"],
        ["=", "/healthz"],
        ["/"],
    ]
    assert "return 404;" in nginx.split("location / {")[1]
    assert "proxy_pass http://rasa_sticky;" in nginx.split("location /socket.io/")[1].split("}")[0]


def test_the_plan_is_the_pods_a_cluster_would_run(docs):
    pods = {p.name: p for p in kube.plan(docs, IMAGES, {kube.SECRET_NAME: SECRET})}
    assert sorted(pods) == sorted(
        [
            "postgres-0",
            "redis-0",
            "migrate",
            "actions-0",
            "actions-1",
            "rasa-0",
            "rasa-1",
            "staff-0",
            "frontdoor-0",
            "frontdoor-1",
            "purge",
        ]
    )
    rasa = pods["rasa-1"].doc["spec"]["containers"][0]
    env = {e["name"]: e["value"] for e in rasa["env"]}
    assert env["RASA_AUTH_TOKEN"] == "-tok$en" and env["REDIS_HOST"] == "redis"  # the Secret and the ConfigMap
    assert "--auth-token=-tok$en" in rasa["command"]  # $(VAR) expanded as the kubelet does
    assert rasa["image"] == IMAGES["rasa"]
    assert not {"ports", "readinessProbe", "livenessProbe", "startupProbe", "envFrom", "resources"} & set(rasa)
    assert "initContainers" not in pods["rasa-0"].doc["spec"]
    assert [c for c, _, _ in pods["rasa-0"].probes] == ["rasa"]  # polled by kube.up instead
    assert sorted(pods["rasa-0"].aliases) == ["rasa", "rasa-pods"]
    assert pods["postgres-0"].aliases == ["postgres"] and pods["migrate"].aliases == []
    assert [d["kind"] for d in pods["postgres-0"].extra] == ["PersistentVolumeClaim"]
    assert [d["metadata"]["name"] for d in pods["frontdoor-0"].extra] == ["frontdoor-nginx"]
    assert pods["rasa-0"].doc["metadata"]["labels"][kube.LABEL] == "1"
    # podman restarts a crashed container as a kubelet would; the Job runs to completion
    assert pods["rasa-0"].doc["spec"]["restartPolicy"] == "Always"
    assert pods["migrate"].doc["spec"]["restartPolicy"] == "OnFailure"


def test_the_purge_cronjob_is_played_as_its_own_loop(docs):
    """No scheduler under podman: the CronJob's pod runs the purge with --every its schedule's period."""
    pods = {p.name: p for p in kube.plan(docs, IMAGES, {kube.SECRET_NAME: SECRET})}
    purge = pods["purge"].doc["spec"]
    assert purge["containers"][0]["command"] == ["python", "-m", "bot.storage.purge", "--every", "86400"]
    assert purge["restartPolicy"] == "Always" and pods["purge"].kind == "CronJob"
    quick = {p.name: p for p in kube.plan(docs, IMAGES, {kube.SECRET_NAME: SECRET}, cron_every={"purge": 15})}
    assert quick["purge"].doc["spec"]["containers"][0]["command"][-2:] == ["--every", "15"]


@pytest.mark.parametrize("schedule,seconds", [("0 3 * * *", 86400), ("30 23 * * *", 86400), ("*/10 * * * *", 600)])
def test_cron_periods(schedule, seconds):
    assert kube.cron_period(schedule) == seconds


@pytest.mark.parametrize("schedule", ["0 3 * * 1", "0 */2 * * *", "@daily", ""])
def test_a_schedule_podman_cannot_keep_is_refused(schedule):
    with pytest.raises(RuntimeError, match="schedule"):
        kube.cron_period(schedule)


def test_a_missing_secret_stops_the_plan(docs):
    with pytest.raises(RuntimeError, match="Secret zhicheng-secrets not found"):
        kube.plan(docs, IMAGES, {})


def test_kubelet_expansion():
    env = {"A": "x", "B": "$(A)"}
    assert kube._expand("$(A)-$(C)-$$(A)", env) == "x-$(C)-$(A)"


def test_generated_secrets_are_private_and_kept(tmp_path):
    path = tmp_path / "secrets.env"
    first = kube.ensure_secrets(path)
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert kube.ensure_secrets(path) == first
    assert first["POSTGRES_PASSWORD"] in first["ZHICHENG_DATABASE_URL"] and len(first["RASA_AUTH_TOKEN"]) >= 32


def test_down_removes_every_volume_the_pods_mount(docs):
    mounted = {
        v.get("configMap", {}).get("name") or v.get("persistentVolumeClaim", {}).get("claimName")
        for template in pod_specs(docs)
        for v in template["spec"].get("volumes", [])
    }
    assert mounted == set(kube.VOLUMES)


def test_make_run_prod_publishes_only_the_front_door(docs):
    pods = {p.name: p for p in kube.plan(docs, IMAGES, {kube.SECRET_NAME: SECRET})}
    assert kube.publish_on_host(pods["frontdoor-0"], "127.0.0.1:8000") == "http://127.0.0.1:8000"
    ports = pods["frontdoor-0"].doc["spec"]["containers"][0]["ports"]
    assert ports == [{"containerPort": 8000, "hostPort": 8000, "hostIP": "127.0.0.1"}]  # loopback by default
    assert not [p for name, p in pods.items() if name != "frontdoor-0" and "ports" in p.doc["spec"]["containers"][0]]
    for wrong in ("8000", "127.0.0.1:", "127.0.0.1:http", "0.0.0.0:70000"):
        with pytest.raises(ValueError, match="HOST:PORT"):
            kube.publish_on_host(pods["frontdoor-0"], wrong)
