"""The held-out NLU set measures generalisation only if none of it is trained on."""

import re

import yaml

from tests.helpers import ROOT

ANNOTATION = re.compile(r"\[([^\]]+)\]\([^)]+\)")


def _texts(path):
    out = set()
    for block in yaml.safe_load(path.read_text(encoding="utf-8"))["nlu"]:
        for line in (block.get("examples") or "").splitlines():
            if line.strip().startswith("- "):
                out.add(ANNOTATION.sub(r"\1", line.strip()[2:]).strip())
    return out


def test_heldout_set_is_not_trained_on():
    held_out = set()
    for f in (ROOT / "tests" / "nlu").glob("*.yml"):
        held_out |= _texts(f)
    trained = set()
    for f in (ROOT / "data" / "nlu").glob("*.yml"):
        trained |= _texts(f)
    assert len(held_out) >= 200
    assert not (held_out & trained), sorted(held_out & trained)[:10]
