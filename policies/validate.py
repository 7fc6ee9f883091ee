"""``python -m policies.validate [DIR]``: load every notice file and report what is wrong."""

from __future__ import annotations

import sys
from typing import Optional, Sequence

from policies.loader import NoticeFileError, load_notices


def main(argv: Optional[Sequence[str]] = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    try:
        index = load_notices(argv[0] if argv else None)
    except NoticeFileError as exc:
        print(f"INVALID {exc.path}", file=sys.stderr)
        for problem in exc.problems:
            print(f"  - {problem}", file=sys.stderr)
        return 1
    for n in index.all():
        print(f"ok  {n.id}  {n.doc_number}  levels={','.join(n.levels)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
