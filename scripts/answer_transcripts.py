"""Write docs/transcript-answers.md: 30 questions typed the way applicants type them, asked through
the real Rasa and action servers over REST, each with the reply exactly as sent.

    .venv/bin/python scripts/answer_transcripts.py            # starts the servers itself
    .venv/bin/python scripts/answer_transcripts.py --rasa URL # a Rasa already running

Each question is a new conversation; a line ``context`` first chooses the notice with the button's
own payload, as a user tapping it would.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import uuid
from pathlib import Path
from typing import List, Optional, Tuple

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

OUT = ROOT / "docs" / "transcript-answers.md"
TODAY = "2024-10-30"
# (question, context payload or None) — written for this page, not taken from any test set.
QUESTIONS: List[Tuple[str, Optional[str]]] = [
    ("长治报中级要发几篇论文啊", None),
    ("我是助工 本科 几年能报长治中级", None),
    ("工程硕士在长治能早点报工程师吗", None),
    ("我在乡镇水利站干了16年 中专 能评长治工程师不", None),
    ("长治评中级论文查重多少算过", None),
    ("长治的材料几号开始收", None),
    ("长治初级评审费", None),
    ("简阳高工评审费多少 怎么交", None),
    ("大专能评简阳高工吗", None),
    ("简阳副高没有论文能用专利代替吗", None),
    ("简阳继续教育要多少学时", None),
    ("头部企业推荐是怎么回事", '/inform{"region":"jianyang"}'),
    ("重庆副高什么时候交钱", None),
    ("重庆 社保交了八个月够不够", None),
    ("重庆副高要几篇论文", None),
    ("我中级五年了 重庆非公企业能报副高吗", None),
    ("湖州直报七条要满足几条", None),
    ("湖州评审费多少", None),
    ("个税那条具体怎么算", '/inform{"region":"huzhou"}'),
    ("平凉高级的申报条件", None),
    ("平凉网上申报截止到哪天", None),
    ("核心期刊论文查重率要求", '/inform{"region":"pingliang"}'),
    ("转系列的要满一年才能报吗", '/inform{"region":"pingliang"}'),
    ("评审费多少钱", None),
    ("一级建造师报名时间", None),
    ("工程师职称一个月能多拿多少钱", None),
    ("北京高级工程师评审条件", None),
    ("有人说花钱能包过高工 靠谱吗", None),
    ("評審費要交多少錢 長治中級", None),
    ("长治评职称要不要体检", None),
]


def ask_all(rasa_url: str) -> List[Tuple[str, Optional[str], List[dict]]]:
    from benchmarks.answer_quality import _post

    hook = f"{rasa_url}/webhooks/rest/webhook"
    out = []
    for question, context in QUESTIONS:
        sender = f"transcript-{uuid.uuid4().hex[:8]}"
        if context:
            _post(hook, {"sender": sender, "message": context})
        out.append((question, context, _post(hook, {"sender": sender, "message": question})))
    return out


def render(rows) -> str:
    lines = [
        "# Transcripts: 30 questions as applicants type them",
        "",
        f"Asked through the real Rasa and action servers over REST (today = {TODAY}), one new",
        "conversation each; made by `scripts/answer_transcripts.py`. Buttons are shown as they are",
        "offered (WeChat numbers them). A context line is a notice chosen earlier with its button.",
        "",
    ]
    for n, (question, context, replies) in enumerate(rows, 1):
        lines.append(f"## {n}. {question}")
        if context:
            lines.append(f"*(earlier: chose {json.loads(context[len('/inform') :])['region']})*")
        lines.append("")
        for r in replies:
            text = r.get("text") or ""
            lines.append("> " + text.replace("\n", "  \n> "))
            buttons = [b.get("title") for b in r.get("buttons") or []]
            if buttons:
                lines.append(">  \n> " + " ".join(f"[{b}]" for b in buttons))
        length = sum(len(r.get("text") or "") for r in replies)
        lines += ["", f"<sub>{length} characters</sub>", ""]
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rasa", help="a running Rasa server's URL")
    args = parser.parse_args(argv)
    if args.rasa:
        rows = ask_all(args.rasa)
    else:
        from tests.helpers import running_servers

        with tempfile.TemporaryDirectory() as tmp, running_servers(Path(tmp), today=TODAY) as servers:
            rows = ask_all(servers["rasa"])
    OUT.write_text(render(rows), encoding="utf-8")
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
