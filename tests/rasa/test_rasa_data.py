"""``rasa data validate --fail-on-warnings`` on the project's data (no trained model needed: it runs
beside the training in make test)."""

from tests.helpers import rasa


def test_data_validates_without_warnings():
    result = rasa(
        "data", "validate", "--config", "config.yml", "--domain", "domain", "--data", "data", "--fail-on-warnings"
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
