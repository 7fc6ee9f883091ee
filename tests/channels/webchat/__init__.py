"""Tests of the website chat widget: its JS unit tests, the channel's asset routes, and the widget
in headless Chromium against the real Rasa and action servers."""
