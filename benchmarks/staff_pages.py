"""Server time of the staff pages (in process, SQLite, no Rasa: keyword understanding).

    .venv/bin/python benchmarks/staff_pages.py [rounds]

Prints the median and 95th percentile per page, in milliseconds. Rendering only: the Rasa parse
adds its own latency (bounded by STAFF_RASA_TIMEOUT) when the Rasa server is up.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from aiohttp.test_utils import TestClient, TestServer

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PAGES = {
    "search (filters)": "/?notice=changzhi-2022-engineering-mid-junior&level=engineer&topic=fees",
    "search (keywords, Rasa down)": "/?q=重庆副高什么时候缴费",
    "notice page": "/notices/changzhi-2022-engineering-mid-junior",
    "assess first step": "/assess?pick=changzhi-2022-engineering-mid-junior:engineer",
    "case lookup (not found)": "/cases?code=ABCD2345",
    "inbox": "/inbox",
}


async def main(rounds: int) -> None:
    from bot.staff.app import create_app
    from bot.staff.auth import create_user
    from bot.staff.models import StaffDB
    from bot.staff.settings import get_staff_settings

    work = Path(tempfile.mkdtemp())
    url = f"sqlite:///{work / 'bench.db'}"
    settings = replace(
        get_staff_settings({"ZHICHENG_TODAY": "2024-10-30"}),
        database_url=url,
        rasa_url="http://127.0.0.1:9",
        rasa_timeout=0.5,
    )
    from bot.storage.migrate import upgrade

    upgrade(url)  # as the service does on start
    create_user(StaffDB(url), "bench", "bench-pass-123", role="staff")
    client = TestClient(TestServer(create_app(settings)))
    await client.start_server()
    try:
        page = await client.get("/login")
        import re

        token = re.search(r'name="csrf_token" value="([^"]+)"', await page.text()).group(1)
        await client.post("/login", data={"username": "bench", "password": "bench-pass-123", "csrf_token": token})
        print(f"staff pages, {rounds} rounds each (ms): median / p95")
        for name, path in PAGES.items():
            await client.get(path)  # warm up (first use loads catalogue, compiles rules)
            times = []
            for _ in range(rounds):
                t0 = time.perf_counter()
                resp = await client.get(path)
                await resp.read()
                times.append((time.perf_counter() - t0) * 1000)
            times.sort()
            p95 = times[max(0, int(len(times) * 0.95) - 1)]
            print(f"  {name:32s} {statistics.median(times):7.1f} / {p95:7.1f}")
    finally:
        await client.close()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 50))
