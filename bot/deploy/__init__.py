"""Deployment: the production profile on one machine (``python -m bot.deploy.prod``, make run-prod)."""
