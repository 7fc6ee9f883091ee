"""``make stop`` (``kube.down`` without ``--volumes``): every pod gone and nothing answers on the
published port, while the database's volume is kept for the next ``make run-prod`` (and the
ConfigMaps' volumes are not: the next play mounts the manifests' configuration as it is then). Last of all
the tests here (tests/k8s/conftest.py)."""

from __future__ import annotations

import urllib.request

import pytest

from bot.deploy import kube

pytestmark = [pytest.mark.k8s]


def test_stop_removes_every_pod_and_keeps_the_data(cluster: kube.Cluster) -> None:
    removed = kube.down()
    assert {"postgres-0", "redis-0", "rasa-0", "rasa-1", "actions-0", "frontdoor-0", "purge"} <= set(removed)
    assert kube.running_pods() == {}
    containers = kube.podman("ps", "-a", "--format", "{{.Names}}").split()
    assert not [c for c in containers for pod in removed if c.startswith(pod + "-")], containers
    volumes = kube.podman("volume", "ls", "--format", "{{.Name}}").split()
    assert "postgres-data" in volumes  # the data, for the next make run-prod
    assert "frontdoor-nginx" not in volumes  # the configuration, from the next release's manifests
    with pytest.raises(OSError):
        urllib.request.urlopen(cluster.frontdoor + "/webhooks/rest/webhook", timeout=5)
