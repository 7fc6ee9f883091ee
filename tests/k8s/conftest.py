"""One play of deploy/k8s/overlays/local for every test here, as ``make run-prod`` plays it: the
front door published on a loopback port of the host, every other pod on the pods' network only.
The purge's period is 15 s instead of a day, so that its schedule is seen to repeat.

Order: the cluster's own tests, then two Rasa pods sharing their stores (test_scaled.py), then the
crashes podman recovers from (test_faults.py), and last ``make stop`` (``kube.down``)."""

from __future__ import annotations

from typing import Any, Dict, List

import pytest

from bot.deploy import kube
from tests.helpers import free_port

PURGE_EVERY = 15  # seconds (a day in the manifests' schedule)
ORDER = ("test_cluster.py", "test_scaled.py", "test_faults.py", "test_stop.py")


def pytest_collection_modifyitems(session: Any, config: Any, items: List[Any]) -> None:
    items.sort(key=lambda i: ORDER.index(i.path.name) if i.path.name in ORDER else len(ORDER))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: Any, call: Any) -> Any:
    """On a failure, every pod's last log lines and restart count, printed with the failure: the
    last test removes the pods, so make test-k8s cannot print them afterwards."""
    outcome = yield
    report = outcome.get_result()
    if report.when == "call" and report.failed:
        counts = kube.restarts()
        lines = []
        for pod in sorted(kube.running_pods()):
            restarted = {c: n for c, n in counts.items() if c.startswith(pod + "-") and n}
            lines.append(f"--- {pod} (restarted: {restarted or 0})")
            lines.append(kube.pod_logs(pod, 12)[-3000:])
        report.sections.append(("pods", "\n".join(lines)))


def up_arguments() -> Dict[str, Any]:
    """What ``kube.up`` is called with here, again after a pod was removed (the same published port)."""
    if not UP:
        UP.update(publish=f"127.0.0.1:{free_port()}", cron_every={"purge": PURGE_EVERY})
    return dict(UP)


UP: Dict[str, Any] = {}


@pytest.fixture(scope="session")
def cluster() -> kube.Cluster:
    """Every pod of the local overlay played and ready (make test-k8s removes them afterwards)."""
    return kube.up("local", timeout=900, **up_arguments())
