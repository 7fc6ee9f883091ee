"""The assistant's runtime, one folder per kind of code (nothing runs at import):

- ``bot.settings`` — every setting, typed, read from the environment (a leaf: imports nothing of ours);
- ``bot.plugins`` — what Rasa and the action server load: NLU components, channels (REST, web widget,
  WeChat), tracker and lock stores, the patched Rasa command line, the action server launcher;
- ``bot.storage.assessments`` — the database (``Database(url)``), every table declared once, migrations, the
  repositories (assessments, feedback), retention (purge) and masking of personal numbers;
- ``bot.staff`` — the hotline staff web app (aiohttp);
- ``bot.deploy`` — the container images and the Kubernetes manifests played under podman (make run-prod).

Allowed imports (tests/test_layering.py checks them): plugins → storage → settings; staff → storage,
settings; deploy → settings, storage; none of them imports ``actions``; ``policies`` imports none of
them.
"""
