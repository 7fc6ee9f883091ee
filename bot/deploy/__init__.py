"""Deployment: the container images (``bot.deploy.images``, make images) and the Kubernetes manifests
played under podman (``bot.deploy.kube``: make test-k8s, and make run-prod on one machine)."""
