"""benchmarks/bench.py without servers: its options and the table it prints (no timing here)."""

from benchmarks.bench import Settings, parse_args, table


def test_defaults_quick_and_overrides():
    args, s = parse_args([])
    assert (args.train, args.quick) == (False, False)
    assert s == Settings()
    assert (s.fresh, s.long, s.mix_applicants) == (20, 150, (3, 10, 30))
    _, q = parse_args(["--quick", "--long", "120", "--mix-faq", "0"])
    assert (q.fresh, q.long, q.mix_faq) == (Settings.quick().fresh, 120, 0)


def test_table_states_every_ratio_to_the_bare_bot():
    names = ["bare", "project", "prod"]
    rows = [
        (
            "one turn",
            {"bare": 0.050, "project": 0.066, "prod": 0.100},
            {"bare": "50 ms", "project": "66 ms", "prod": "100 ms"},
        ),
        ("mix over WeChat", {"bare": 20.0, "project": 10.0}, {"bare": "(FAQ only) 20 msg/s", "project": "10 msg/s"}),
        ("training time", {}, {"bare": "600 s", "project": "not recorded (--train)", "prod": "not recorded (--train)"}),
    ]
    lines = table(names, rows).splitlines()
    assert lines[0] == "|  | project / bare | prod / bare | bare | project | prod |"  # ratios first
    assert lines[2] == "| one turn | **1.32x** | **2.00x** | 50 ms | 66 ms | 100 ms |"
    assert lines[3] == "| mix over WeChat | **0.50x** | - | (FAQ only) 20 msg/s | 10 msg/s | - |"
    assert lines[4].startswith("| training time | - | - | 600 s |")
