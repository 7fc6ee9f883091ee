"""The house rules of the layout, checked on the source (every import, also those inside functions):

- ``policies`` (notice data and rules) imports nothing from Rasa, HTTP or SQL, nor from ``bot`` or
  ``actions``: the bot, the staff page and the tests all get the same answer from one place;
- ``bot.settings`` and ``bot.storage.db`` are leaves; ``bot.storage`` never reaches the Rasa
  plug-ins, the staff app or deployment;
- the staff app imports neither ``actions`` nor Rasa;
- ``actions`` reaches ``bot`` only through a short allow-list;
- no module imports one that imports it back, directly or around a longer cycle.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Dict, Iterable, List, Set

from tests.helpers import ROOT

PACKAGES = ("policies", "bot", "actions")
RASA_HTTP_SQL = ("rasa", "rasa_sdk", "sanic", "aiohttp", "socketio", "requests", "httpx", "sqlalchemy", "alembic")
# What the action server may use of the runtime: settings and the two repositories it writes (the
# fact reader is in policies/eligibility).
ACTIONS_MAY_IMPORT = {
    "bot.settings",
    "bot.storage.assessments",
    "bot.storage.feedback",
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> Dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            found[module_name(path)] = path
    return found


def imports_of(path: Path, known: Iterable[str]) -> Set[str]:
    """Every module ``path`` imports (absolute names; ``from a import b`` counts ``a.b`` when that is a
    module of ours, else ``a``)."""
    known = set(known)
    me = module_name(path)
    package = me if path.name == "__init__.py" else me.rpartition(".")[0]
    found: Set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                candidate = f"{base}.{alias.name}"
                found.add(candidate if candidate in known else base)
    return found


def graph() -> Dict[str, Set[str]]:
    mods = modules()
    return {name: imports_of(path, mods) for name, path in mods.items()}


def under(name: str, *roots: str) -> bool:
    return any(name == r or name.startswith(r + ".") for r in roots)


def offending(source_roots: Iterable[str], forbidden: Iterable[str]) -> List[str]:
    roots, bad = tuple(source_roots), tuple(forbidden)
    return sorted(f"{m} → {i}" for m, deps in graph().items() if under(m, *roots) for i in deps if under(i, *bad))


def test_policies_imports_nothing_of_rasa_http_sql_or_the_runtime():
    assert offending(["policies"], [*RASA_HTTP_SQL, "bot", "actions"]) == []


def test_the_leaves_import_nothing_of_ours():
    assert offending(["bot.settings", "bot.storage.db"], PACKAGES) == []


def test_storage_never_reaches_plugins_staff_or_deployment():
    assert offending(["bot.storage"], ["bot.plugins", "bot.staff", "bot.deploy", "actions"]) == []


def test_the_staff_app_imports_neither_actions_nor_rasa():
    assert offending(["bot.staff"], ["actions", "rasa", "rasa_sdk", "bot.plugins", "bot.deploy"]) == []


def test_actions_reach_bot_only_through_the_allow_list():
    used = {i for m, deps in graph().items() if under(m, "actions") for i in deps if under(i, "bot")}
    assert used <= ACTIONS_MAY_IMPORT, sorted(used - ACTIONS_MAY_IMPORT)


def cycles(edges: Dict[str, Set[str]]) -> List[List[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: Dict[str, int] = {}
    low: Dict[str, int] = {}
    stack: List[str] = []
    on_stack: Set[str] = set()
    found: List[List[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in edges.get(v, ()):
            if w not in edges:
                continue
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return found


def test_no_module_imports_one_that_imports_it_back():
    assert cycles(graph()) == []


def test_the_checker_sees_cycles_and_imports_inside_functions():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": {"e2"}, "e2": set()}) == [["a", "b", "c"]]
    # purge imports migrate inside a function; relative and "from package import module" forms resolve
    assert "bot.storage.migrate" in imports_of(ROOT / "bot" / "storage" / "purge.py", modules())
    assert under("bot.plugins.nlu.facts_parser", "bot.plugins") and not under("bot.pluginsx", "bot.plugins")
