"""The Kubernetes manifests (``deploy/k8s/``) run on this machine under podman (``make test-k8s``).

    python -m bot.deploy.kube up [--overlay local] [--publish 127.0.0.1:8000] [--rasa N]
                                     # render, play, wait until every pod is ready (make run-prod)
    python -m bot.deploy.kube down [--volumes]          # remove every pod (and the database volume)
    python -m bot.deploy.kube status                    # pods, their addresses, how often podman restarted them

``make run-prod`` is ``up --publish``: the same manifests a cluster gets, on one machine, with the
front door published on the host's address (docs/deployment.md, "One machine").

The manifests are rendered by ``kubectl kustomize`` exactly as a cluster would get them, then
played with ``podman kube play``, one pod at a time. Podman is not a cluster, so this module does
the few things a cluster's controllers would, and nothing else:

- **Deployments** become ``replicas`` pods named ``<name>-<i>`` (podman 4.3 plays one replica);
  ``up`` plays only the ones missing, so running it again after a pod died is the Deployment
  controller bringing the replica back.
- **Services** become DNS names: every pod a Service selects gets the Service's name as an alias on
  the pods' network (aardvark-dns answers with every selected pod, as a headless Service does).
- **Crashes**: every Deployment's pod has ``restartPolicy: Always``, as in a cluster, and podman
  restarts a container whose process ends (conmon → ``podman container cleanup``), with nobody
  acting; ``status`` shows the count.
- **Jobs** run as a pod before what depends on them and must exit 0. **CronJobs** have no
  scheduler under podman: each is played as a pod that runs the job's command with ``--every``
  the period of its schedule (the purge's own loop, bot/storage/purge.py; a daily schedule → once
  at start, then every 86,400 s). The **HorizontalPodAutoscaler** is not run here (it needs a
  metrics server).
- **ConfigMaps and Secrets** given as environment (``envFrom``, ``valueFrom``) are written into the
  pod's environment, and ``$(VAR)`` in commands expanded as the kubelet does: podman 4.3's own
  secret handling fails (a ``secretKeyRef`` to a played Secret is rejected as "not valid JSON",
  a secret volume crashes it). ConfigMap volumes and volume claims are played as they are.
- **Init containers** (each pod waits until the migration Job is done) are not played: the phases
  already finish the Job first, and podman 4.3 fails on a pod whose init container has ended.
- **Probes**: podman would turn them into health checks run by systemd timers, which this machine
  has not; ``up`` polls every readiness probe itself (HTTP, TCP, exec) and returns when all pass.

The Secret ``zhicheng-secrets`` is what an operator creates with ``kubectl create secret``: here it
is generated on first run into ``build/k8s/secrets.env`` (mode 600; tokens and passwords from
``secrets``). Images are the ones ``make images`` built (``build/images/images.json``).
"""

from __future__ import annotations

import argparse
import copy
import os
import re
import secrets as secrets_module
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

import yaml

from bot.deploy.images import built_refs, podman, succeeds, use_project_containers_conf
from bot.settings import ROOT

K8S = Path(ROOT) / "deploy" / "k8s"
WORK = Path(ROOT) / "build" / "k8s"
NETWORK = "zhicheng"
LABEL = "zhicheng.kube"
SECRET_NAME = "zhicheng-secrets"
# Started in this order; a phase is ready before the next starts (initContainers wait on the Job).
PHASES: Tuple[Tuple[str, ...], ...] = (
    ("postgres", "redis"),
    ("migrate",),
    ("actions", "rasa", "staff", "purge"),
    ("frontdoor",),
)
NOT_PLAYED = ("HorizontalPodAutoscaler", "NetworkPolicy", "Ingress", "PodDisruptionBudget")

Doc = Dict[str, Any]
# The volumes podman makes for what the pods mount: the database's claim (data: removed only by
# ``down --volumes``) and the ConfigMaps mounted as files (removed by every ``down``: kept, a
# changed nginx.conf would not reach the next play).
CLAIMS = ("postgres-data",)
CONFIG_VOLUMES = ("frontdoor-nginx",)
VOLUMES = CLAIMS + CONFIG_VOLUMES


@dataclass
class PodPlan:
    name: str
    owner: str  # the Deployment or Job
    kind: str
    doc: Doc
    extra: List[Doc] = field(default_factory=list)  # ConfigMaps and claims the pod mounts
    probes: List[Tuple[str, Doc, Dict[str, int]]] = field(default_factory=list)  # (container, probe, its named ports)
    ports: List[int] = field(default_factory=list)  # every container's ports, in order
    aliases: List[str] = field(default_factory=list)


def kubectl() -> str:
    found = shutil.which("kubectl")
    if not found:
        raise RuntimeError("kubectl not found: make images installs it (build/.k8s-tools)")
    return found


def render(overlay: str = "local") -> List[Doc]:
    out = subprocess.run(
        [kubectl(), "kustomize", str(K8S / "overlays" / overlay)], check=True, capture_output=True, text=True
    )
    return [d for d in yaml.safe_load_all(out.stdout) if d]


# --- the Secret an operator would create ----------------------------------------------------------
def ensure_secrets(path: Optional[Path] = None) -> Dict[str, str]:
    path = path or WORK / "secrets.env"
    if path.is_file():
        values = dict(line.split("=", 1) for line in path.read_text().splitlines() if "=" in line)
        return values
    path.parent.mkdir(parents=True, exist_ok=True)
    db_password = secrets_module.token_hex(16)
    db_url = f"postgresql://zhicheng:{db_password}@postgres:5432/zhicheng"
    values = {
        "RASA_AUTH_TOKEN": secrets_module.token_urlsafe(32),
        "ACTION_SERVER_TOKEN": secrets_module.token_urlsafe(32),
        "POSTGRES_PASSWORD": db_password,
        "REDIS_PASSWORD": secrets_module.token_hex(16),
        "ZHICHENG_DATABASE_URL": db_url,
        "TRACKER_STORE_URL": db_url,
    }
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write("".join(f"{k}={v}\n" for k, v in values.items()))
    return values


# --- from manifests to pods -----------------------------------------------------------------------
def _expand(text: str, env: Dict[str, str]) -> str:
    """The kubelet's ``$(VAR)`` expansion (``$$`` escapes)."""
    return re.sub(
        r"\$\$|\$\(([A-Za-z_][A-Za-z0-9_]*)\)",
        lambda m: "$" if m.group(0) == "$$" else env.get(m.group(1), m.group(0)),
        text,
    )


def _environment(
    container: Doc, configmaps: Dict[str, Dict[str, str]], secret_values: Dict[str, Dict[str, str]]
) -> Dict[str, str]:
    env: Dict[str, str] = {}
    for source in container.get("envFrom", []):
        if "configMapRef" in source:
            env.update(configmaps.get(source["configMapRef"]["name"], {}))
        elif "secretRef" in source:
            name = source["secretRef"]["name"]
            if name not in secret_values and not source["secretRef"].get("optional"):
                raise RuntimeError(f"Secret {name} not found")
            env.update(secret_values.get(name, {}))
    for item in container.get("env", []):
        if "value" in item:
            env[item["name"]] = _expand(str(item["value"]), env)
        elif "valueFrom" in item:
            ref = item["valueFrom"]
            if "secretKeyRef" in ref:
                name, key = ref["secretKeyRef"]["name"], ref["secretKeyRef"]["key"]
                if key not in secret_values.get(name, {}):
                    raise RuntimeError(f"Secret {name} not found, or without {key}")
                env[item["name"]] = secret_values[name][key]
            elif "configMapKeyRef" in ref:
                env[item["name"]] = configmaps[ref["configMapKeyRef"]["name"]][ref["configMapKeyRef"]["key"]]
    return env


def _selects(selector: Dict[str, str], labels: Dict[str, str]) -> bool:
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())


def cron_period(schedule: str) -> int:
    """Seconds between a CronJob's runs, for the schedules this project writes: a daily one
    (``M H * * *``) or every N minutes (``*/N * * * *``)."""
    fields = schedule.split()
    if len(fields) == 5 and fields[0].isdigit() and fields[1].isdigit() and fields[2:] == ["*", "*", "*"]:
        return 86400
    if len(fields) == 5 and fields[0].startswith("*/") and fields[0][2:].isdigit() and fields[1:] == ["*"] * 4:
        return int(fields[0][2:]) * 60
    raise RuntimeError(f"schedule {schedule!r}: only daily (M H * * *) or */N minutes are played under podman")


def plan(
    docs: Sequence[Doc],
    images: Dict[str, str],
    secret_values: Dict[str, Dict[str, str]],
    cron_every: Optional[Dict[str, int]] = None,
) -> List[PodPlan]:
    """The pods podman plays. ``cron_every`` (CronJob → seconds) replaces a schedule's period."""
    configmaps = {d["metadata"]["name"]: dict(d.get("data") or {}) for d in docs if d["kind"] == "ConfigMap"}
    cm_docs = {d["metadata"]["name"]: d for d in docs if d["kind"] == "ConfigMap"}
    claims = {d["metadata"]["name"]: d for d in docs if d["kind"] == "PersistentVolumeClaim"}
    services = [d for d in docs if d["kind"] == "Service"]
    pods: List[PodPlan] = []
    for d in docs:
        if d["kind"] not in ("Deployment", "Job", "CronJob"):
            continue
        owner = d["metadata"]["name"]
        if d["kind"] == "CronJob":
            template = d["spec"]["jobTemplate"]["spec"]["template"]
            every = (cron_every or {}).get(owner) or cron_period(d["spec"]["schedule"])
        else:
            template, every = d["spec"]["template"], 0
        count = int(d["spec"].get("replicas", 1)) if d["kind"] == "Deployment" else 1
        for i in range(count):
            spec = copy.deepcopy(template["spec"])
            labels = dict(template["metadata"].get("labels") or {})
            labels[LABEL] = "1"
            name = f"{owner}-{i}" if d["kind"] == "Deployment" else owner
            p = PodPlan(name=name, owner=owner, kind=d["kind"], doc={})
            for group in ("initContainers", "containers"):
                for c in spec.get(group, []):
                    env = _environment(c, configmaps, secret_values)
                    c.pop("envFrom", None)
                    c["env"] = [{"name": k, "value": v} for k, v in env.items()]
                    for key in ("command", "args"):
                        if key in c:
                            c[key] = [_expand(str(a), env) for a in c[key]]
                    if d["kind"] == "CronJob":
                        c["command"] = [*c["command"], *c.pop("args", []), "--every", str(every)]
                    image = c["image"].split(":")[0]
                    short = image.rsplit("/", 1)[-1]
                    if image.startswith("zhicheng/") and short in images:
                        c["image"] = images[short]
                    c.pop("resources", None)  # requests are a scheduler's business; limits: see docs
                    # podman 4.3 publishes every containerPort on the host's own address (the second
                    # actions pod then fails to bind); in a cluster they are only the pod's. The pods'
                    # addresses on the network are what the probes and the front door use.
                    ports = c.pop("ports", [])
                    p.ports += [int(port["containerPort"]) for port in ports]
                    named = {port["name"]: int(port["containerPort"]) for port in ports if "name" in port}
                    for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
                        found = c.pop(probe, None)
                        if probe == "readinessProbe" and found:
                            p.probes.append((c["name"], found, named))
            # The init containers only wait for the migration Job, which the phases already finish
            # first; podman 4.3 fails to remove a finished init container of a pod it plays
            # ("cannot remove container … as it is running"), so they are not played.
            spec.pop("initContainers", None)
            # A Job's pod runs to completion; any other pod is restarted by podman when its
            # process ends, as a cluster's kubelet does (a CronJob's pod runs its own loop).
            spec["restartPolicy"] = "OnFailure" if d["kind"] == "Job" else "Always"
            for vol in spec.get("volumes", []):
                if "configMap" in vol:
                    p.extra.append(cm_docs[vol["configMap"]["name"]])
                if "persistentVolumeClaim" in vol:
                    p.extra.append(claims[vol["persistentVolumeClaim"]["claimName"]])
            p.doc = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "labels": labels}, "spec": spec}
            p.aliases = [s["metadata"]["name"] for s in services if _selects(s["spec"].get("selector") or {}, labels)]
            pods.append(p)
    return pods


# --- podman ---------------------------------------------------------------------------------------
def running_pods() -> Dict[str, str]:
    """name → status of every pod this module played."""
    out = podman("pod", "ps", "--filter", f"label={LABEL}=1", "--format", "{{.Name}} {{.Status}}")
    return dict(line.split(" ", 1) for line in out.splitlines() if line.strip())


def ensure_networks() -> None:
    if NETWORK not in set(podman("network", "ls", "--format", "{{.Name}}").split()):
        podman("network", "create", NETWORK)


def pod_ip(name: str) -> str:
    infra = podman("pod", "inspect", name, "--format", "{{.InfraContainerID}}")
    return podman("inspect", infra, "--format", f'{{{{(index .NetworkSettings.Networks "{NETWORK}").IPAddress}}}}')


def play(p: PodPlan) -> None:
    path = WORK / "pods" / f"{p.name}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # holds the secrets
    with os.fdopen(fd, "w") as f:
        # A claim whose volume exists already (a pod played again) is not given again: podman refuses it.
        extra = [
            d
            for d in p.extra
            if d["kind"] != "PersistentVolumeClaim" or not succeeds("volume", "exists", d["metadata"]["name"])
        ]
        yaml.safe_dump_all([*extra, p.doc], f, sort_keys=False, allow_unicode=True)
    if p.kind == "Job":
        podman("pod", "rm", "-f", p.name, check=False)
    # The Services' names as aliases on the pods' one network, given at creation: with a second
    # network for them, a lookup asked of the first network's DNS went to the upstream resolver and
    # waited for its timeout (turns over 10 s), and an alias added after the start came too late.
    network = NETWORK + (":" + ",".join(f"alias={a}" for a in p.aliases) if p.aliases else "")
    podman("kube", "play", "--network", network, str(path))


def _port(probe_port: Any, named: Dict[str, int]) -> int:
    if isinstance(probe_port, int) or str(probe_port).isdigit():
        return int(probe_port)
    if probe_port not in named:
        raise RuntimeError(f"no port named {probe_port}")
    return named[probe_port]


def probe_ok(p: PodPlan, ip: str) -> bool:
    for cname, probe, named in p.probes:
        if "httpGet" in probe:
            url = f"http://{ip}:{_port(probe['httpGet']['port'], named)}{probe['httpGet'].get('path', '/')}"
            try:
                with urllib.request.urlopen(url, timeout=3) as r:
                    if not 200 <= r.status < 400:
                        return False
            except (urllib.error.URLError, OSError):
                return False
        elif "tcpSocket" in probe:
            try:
                socket.create_connection((ip, _port(probe["tcpSocket"]["port"], named)), timeout=3).close()
            except OSError:
                return False
        elif "exec" in probe:
            if not succeeds("exec", f"{p.name}-{cname}", *probe["exec"]["command"]):
                return False
    return True


def job_done(p: PodPlan) -> bool:
    cname = p.doc["spec"]["containers"][0]["name"]
    state = podman("inspect", f"{p.name}-{cname}", "--format", "{{.State.Status}} {{.State.ExitCode}}")
    status, code = state.split()
    if status == "exited" and code == "0":
        return True
    return False


def wait_ready(pods: Sequence[PodPlan], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    waiting = list(pods)
    while waiting:
        still = []
        for p in waiting:
            try:
                ready = job_done(p) if p.kind == "Job" else probe_ok(p, pod_ip(p.name))
            except RuntimeError:
                ready = False
            if not ready:
                still.append(p)
        waiting = still
        if waiting and time.monotonic() > deadline:
            logs = "\n".join(pod_logs(p.name, 30) for p in waiting)
            raise TimeoutError(f"not ready after {timeout:.0f} s: {[p.name for p in waiting]}\n{logs}")
        if waiting:
            time.sleep(1)


def pod_logs(pod: str, tail: int) -> str:
    """The last ``tail`` lines each container of ``pod`` wrote, on both streams: Rasa, the action
    server and PostgreSQL log to stderr, which ``podman`` returns on its own stderr."""
    out = subprocess.run(
        ["podman", "pod", "logs", "--tail", str(tail), pod], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    return out.stdout.strip()


RESOLVE = "import socket, sys\nfor name in sys.argv[1:]:\n    socket.getaddrinfo(name, None)"


def wait_names(pods: Sequence[PodPlan], names: Sequence[str], timeout: float) -> None:
    """Wait until every Service name resolves inside each Rasa pod. aardvark-dns, podman's DNS, is
    reloaded as each pod joins the network; once (a fresh clone's run) the first turns after the
    pods were ready waited 40 s for a lookup and got the polite message. A cluster's DNS needs no
    such wait."""
    deadline = time.monotonic() + timeout
    for p in pods:
        container = f"{p.name}-{p.doc['spec']['containers'][0]['name']}"
        while not succeeds("exec", container, "timeout", "5", "python", "-c", RESOLVE, *names):
            if time.monotonic() > deadline:
                raise TimeoutError(f"{container} cannot resolve {list(names)} after {timeout:.0f} s")
            time.sleep(1)


def publish_on_host(door: PodPlan, publish: str) -> str:
    """Publish the front door pod's port on the host's ``HOST:PORT`` (what a cluster's load
    balancer does); its address there."""
    host, _, host_port = publish.rpartition(":")
    if not host or not host_port.isdigit() or not 0 < int(host_port) < 65536:
        raise ValueError(f"--publish takes HOST:PORT, not {publish!r}")
    container = door.doc["spec"]["containers"][0]
    container["ports"] = [{"containerPort": door.ports[0], "hostPort": int(host_port), "hostIP": host}]
    return f"http://{host}:{host_port}"


@dataclass
class Cluster:
    frontdoor: str  # http://IP:PORT
    pods: Dict[str, str]
    not_played: List[str]


def up(
    overlay: str = "local",
    timeout: float = 600,
    replicas: Optional[Dict[str, int]] = None,
    publish: Optional[str] = None,
    cron_every: Optional[Dict[str, int]] = None,
) -> Cluster:
    """Play every pod that is not running (in phases, each ready before the next) and wait.
    ``replicas`` (Deployment → count) scales as ``kubectl scale`` would: missing pods are played,
    pods beyond the count removed. ``publish`` ("HOST:PORT") publishes the first front door pod on
    the host, as a cluster's load balancer would (make run-prod); otherwise the front door is
    reached at its pod's address."""
    docs = render(overlay)
    for d in docs:
        if d["kind"] == "Deployment" and replicas and d["metadata"]["name"] in replicas:
            d["spec"]["replicas"] = replicas[d["metadata"]["name"]]
    values = ensure_secrets()
    pods = plan(docs, built_refs(), {SECRET_NAME: values}, cron_every)
    door = next(p for p in pods if p.owner == "frontdoor")
    port = door.ports[0]
    address = publish_on_host(door, publish) if publish else ""
    wanted = {p.name for p in pods}
    owners = {d["metadata"]["name"] for d in docs if d["kind"] == "Deployment"}
    for name in running_pods():
        owner, _, index = name.rpartition("-")
        if owner in owners and index.isdigit() and name not in wanted:
            podman("pod", "rm", "-f", "-t", "3", name, check=False)
    ensure_networks()
    running = running_pods()
    for phase in PHASES:
        todo = [p for p in pods if p.owner in phase]
        for p in todo:
            alive = running.get(p.name, "")
            if p.kind == "Job" and alive:
                continue  # already ran (exited pods stay listed until down)
            if alive.startswith("Running"):
                continue
            if alive:
                podman("pod", "rm", "-f", p.name, check=False)
            play(p)
        wait_ready(todo, timeout)
    names = sorted({a for p in pods for a in p.aliases})
    wait_names([p for p in pods if p.owner == "rasa"], names, timeout)
    skipped = sorted(f"{d['kind']}/{d['metadata']['name']}" for d in docs if d["kind"] in NOT_PLAYED)
    return Cluster(frontdoor=address or f"http://{pod_ip(door.name)}:{port}", pods=running_pods(), not_played=skipped)


def restarts() -> Dict[str, int]:
    """container → how often podman restarted it after its process ended."""
    pods = running_pods()
    out = podman("ps", "-a", "--pod", "--format", "{{.Names}} {{.PodName}}", check=False)
    names = [n for n, pod in (line.split() for line in out.splitlines() if len(line.split()) == 2) if pod in pods]
    names = [n for n in names if not n.endswith("-infra")]
    if not names:
        return {}
    counts = podman("inspect", *names, "--format", "{{.Name}} {{.RestartCount}}", check=False)
    return {n: int(c) for n, c in (line.split() for line in counts.splitlines() if len(line.split()) == 2)}


def kill(name: str) -> None:
    """What a node failure does to one pod: gone at once, no graceful stop."""
    podman("pod", "kill", name)
    podman("pod", "rm", "-f", name)


def down(volumes: bool = False) -> List[str]:
    names = list(running_pods())
    for name in names:
        podman("pod", "rm", "-f", "-t", "3", name, check=False)
    remove = VOLUMES if volumes else CONFIG_VOLUMES
    for vol in podman("volume", "ls", "--format", "{{.Name}}", check=False).split():
        if vol in remove:
            podman("volume", "rm", "-f", vol, check=False)
    podman("network", "rm", "-f", NETWORK, check=False)
    return names


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.deploy.kube", description="The manifests under podman")
    parser.add_argument("command", choices=("up", "down", "status", "render"))
    parser.add_argument("--overlay", default="local")
    parser.add_argument("--publish", metavar="HOST:PORT", help="up: publish the front door on the host (make run-prod)")
    parser.add_argument("--rasa", type=int, metavar="N", help="up: the number of Rasa pods (the overlay's otherwise)")
    parser.add_argument("--volumes", action="store_true", help="down: remove the database volume too")
    args = parser.parse_args(argv)
    use_project_containers_conf()
    if args.command == "render":
        print(yaml.safe_dump_all(render(args.overlay), sort_keys=False, allow_unicode=True))
    elif args.command == "up":
        cluster = up(args.overlay, publish=args.publish, replicas={"rasa": args.rasa} if args.rasa else None)
        print(f"front door: {cluster.frontdoor}")
        for name, status in sorted(cluster.pods.items()):
            print(f"  {name:14} {status}")
        print("not run here: " + ", ".join(cluster.not_played))
    elif args.command == "down":
        print("removed: " + (", ".join(down(args.volumes)) or "nothing"))
    else:
        counts = restarts()
        for name, status in sorted(running_pods().items()):
            mine = sum(n for c, n in counts.items() if c.startswith(name + "-"))
            address = pod_ip(name) if status.startswith("Running") else ""
            print(f"{name:14} {status:24} {address:16} restarted {mine}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
