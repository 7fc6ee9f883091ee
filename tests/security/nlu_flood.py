"""The 10,000 hostile messages through the trained model's NLU, in a process of its own.

tests/conftest.py starts it as soon as the flood test is collected, so its minutes of work on one
core run beside the rest of the suite (which mostly waits on servers and browsers), and the test
collects the result at its turn: ``python -m tests.security.nlu_flood OUT [COUNT] [SEED]`` writes
``{"messages": n, "parsed": n, "failures": [...]}`` to OUT. The model is loaded as every Rasa server
loads it (bot.plugins.rasa_main's patches).
"""

from __future__ import annotations

import asyncio
import json
import sys
from typing import Any, Dict, List


def flood(count: int, seed: int) -> Dict[str, Any]:
    from bot.plugins.rasa_main import apply_patches

    apply_patches()
    from rasa.core.agent import Agent

    from tests.helpers import MODEL
    from tests.security.test_attacks import _hostile_messages

    agent = Agent.load(str(MODEL))
    messages = _hostile_messages(count, seed)
    failures: List[str] = []

    async def parse_all() -> int:
        parsed = 0
        for message in messages:
            try:
                result = await agent.parse_message(message[:500])
            except Exception as exc:  # noqa: BLE001 — every failure is reported, none stops the flood
                failures.append(f"{message[:40]!r}: {exc!r}")
                continue
            if result["intent"]["name"] and isinstance(result["entities"], list):
                parsed += 1
            else:
                failures.append(f"{message[:40]!r}: no intent")
        return parsed

    parsed = asyncio.run(parse_all())
    return {"messages": len(messages), "parsed": parsed, "failures": failures[:20]}


if __name__ == "__main__":
    out = sys.argv[1]
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 10_000
    seed = int(sys.argv[3]) if len(sys.argv) > 3 else 12
    result = flood(count, seed)
    with open(out, "w", encoding="utf-8") as f:
        json.dump(result, f, ensure_ascii=False)
