"""Load and validate notice files; a bad file fails with the file, the field and what is wrong."""

from __future__ import annotations

from pathlib import Path
from typing import List, Tuple, Union

import yaml
from pydantic import ValidationError

from policies.index import NoticeIndex
from policies.schema import Notice

NOTICE_DIR = Path(__file__).resolve().parent / "notices"


class NoticeFileError(ValueError):
    """A notice file that cannot be used. ``str()`` names the file, the field and the problem."""

    def __init__(self, path: Union[str, Path], problems: List[str]) -> None:
        self.path = str(path)
        self.problems = problems
        super().__init__(f"{self.path}: " + "; ".join(problems))


def _field(loc: Tuple[Union[int, str], ...]) -> str:
    return ".".join(str(p) for p in loc if p != "__root__") or "(file)"


# libyaml's safe loader reads the same values about eight times as fast (PyYAML's wheels carry it);
# the pure-Python one where it is missing.
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_notice_file(path: Union[str, Path]) -> Notice:
    path = Path(path)
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_SAFE_LOADER)
    except yaml.YAMLError as exc:
        raise NoticeFileError(path, [f"not valid YAML: {exc}"]) from exc
    if not isinstance(raw, dict):
        raise NoticeFileError(path, ["(file): must be a mapping of notice fields"])
    try:
        notice = Notice.parse_obj(raw)
    except ValidationError as exc:
        raise NoticeFileError(path, [f"{_field(e['loc'])}: {e['msg']}" for e in exc.errors()]) from exc
    if notice.id != path.stem:
        raise NoticeFileError(path, [f"id: '{notice.id}' must equal the file name '{path.stem}'"])
    return notice


def load_notices(directory: Union[str, Path, None] = None) -> NoticeIndex:
    """Load every ``*.yml`` under ``directory`` (default: the project's notices)."""
    directory = Path(directory) if directory else NOTICE_DIR
    files = sorted(directory.glob("*.yml"))
    if not files:
        raise NoticeFileError(directory, ["no notice files (*.yml) found"])
    return NoticeIndex([load_notice_file(f) for f in files])
