"""Tables from a bin/bench run: each page's throughput and latency beside the
minimal view's, the targets of issue #8 checked, and the growth between sizes.

    python bench/report.py var/bench 100000 1000000              # print markdown
    python bench/report.py var/bench 100000 1000000 --update docs/performance.md
"""

from __future__ import annotations

import csv
import re
import sys
from dataclasses import dataclass
from pathlib import Path

PAGES = {
    "MapCity": "public map, whole city (zoom 10)",
    "MapStreet": "public map, street level (zoom 16)",
    "ReportPage": "a public report page",
    "Suggest": "address suggestions",
    "ApiCreate": "new report with a photo (API)",
    "ModerationQueue": "moderation queue",
    "OfficeList": "organization's back office list",
    "StatsPage": "statistics page",
}
MIN_THROUGHPUT_SHARE = 0.30  # of the minimal view's requests per second
MAX_P99_FACTOR = 10  # × the minimal view's p99
MAX_GROWTH = 1.5  # figure at the largest size / at the smallest
BEGIN, END = "<!-- bench:results -->", "<!-- /bench:results -->"


@dataclass
class Figure:
    requests: int
    failures: int
    rps: float
    p50: float
    p95: float
    p99: float


def read(out: Path, size: str, page: str) -> Figure | None:
    path = out / f"{size}_{page}_stats.csv"
    if not path.exists():
        return None
    with path.open(encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if r["Name"] == "Aggregated"]
    if not rows or int(rows[0]["Request Count"]) == 0:
        return None
    r = rows[0]
    return Figure(
        int(r["Request Count"]),
        int(r["Failure Count"]),
        float(r["Requests/s"]),
        float(r["50%"]),
        float(r["95%"]),
        float(r["99%"]),
    )


def _mean(runs: list[Figure]) -> Figure | None:
    if not runs:
        return None
    mean = lambda attr: sum(getattr(f, attr) for f in runs) / len(runs)  # noqa: E731
    return Figure(
        sum(f.requests for f in runs),
        sum(f.failures for f in runs),
        mean("rps"),
        mean("p50"),
        mean("p95"),
        mean("p99"),
    )


def minimal(out: Path, size: str) -> Figure | None:
    """The yardstick, measured first and last in the run: their mean."""
    return _mean([f for f in (read(out, size, "Minimal"), read(out, size, "Minimal2")) if f])


def order(out: Path, size: str) -> list[str]:
    """The pages in the order bin/bench measured them (`<size>_order.txt`)."""
    path = out / f"{size}_order.txt"
    return path.read_text(encoding="utf-8").split() if path.exists() else []


def _yardstick_name(page: str) -> str:
    return page if page.startswith("Minimal") else f"{page}_minimal"


def beside(out: Path, size: str, page: str, run_order: list[str]) -> Figure | None:
    """The minimal view measured beside a page: just before it
    (`<size>_<page>_minimal`) and just after it (the next page's run before
    it, or Minimal2 after the last page), their mean. The machine's speed
    drifts over the minutes of a run (a shared virtual machine's neighbours),
    and a yardstick taken next to the page follows it. A run without them
    (BENCH_YARDSTICK=0, or older results) falls back to the run's first and
    last measure."""
    before = read(out, size, _yardstick_name(page))
    if before is None:
        return minimal(out, size)
    runs = [before]
    if page in run_order:
        for later in run_order[run_order.index(page) + 1 :]:
            after = read(out, size, _yardstick_name(later))
            if after is not None:
                runs.append(after)
                break
    return _mean(runs)


def scheduler(out: Path, size: str) -> str:
    path = out / f"{size}_scheduler.txt"
    if not path.exists():
        return "not measured"
    text = path.read_text(encoding="utf-8")
    busy = re.search(r"проход с (\d+) просроченными: ([\d.]+) с, (\d+) запросов", text)
    idle = re.search(r"медиана ([\d.]+) мс", text)
    if not busy or not idle:
        return "not measured"
    due, seconds, queries = busy.groups()
    return f"{int(due):,} falling due: {seconds} s ({queries} queries); idle pass: {idle.group(1)} ms"


def sustained(out: Path, size: str, fig: Figure) -> tuple[float, str]:
    """Filings per second counting the time the worker took after the load
    stopped to finish what they left it (bin/bench's `<size>_ApiCreate_queue.txt`)."""
    path = out / f"{size}_ApiCreate_queue.txt"
    if not path.exists():
        return fig.rps, ""
    fields = dict(part.split("=", 1) for part in path.read_text(encoding="utf-8").split())
    left, drained, duration = int(fields["left"]), int(fields["drained"]), int(fields["duration"])
    rate = fig.requests / (duration + drained) if left else fig.rps
    return rate, (
        f"Filings: {left:,} tasks left to the worker when the load stopped, done {drained} s later; "
        f"sustained {rate:.0f} filings/s."
    )


def size_table(out: Path, size: str) -> tuple[list[str], dict[str, float]]:
    base = minimal(out, size)
    lines = [
        f"### {int(size):,} reports",
        "",
        "| page | req/s | p50 ms | p95 ms | p99 ms | errors | minimal beside it, req/s · p99 ms "
        "| req/s vs minimal | p99 vs minimal | targets |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    shares: dict[str, float] = {}
    notes = []
    if base is None:
        return [*lines, "| minimal view | not measured | | | | | | | | |", ""], shares
    lines.append(
        f"| minimal view (one indexed query), first and last | {base.rps:,.0f} | {base.p50:.0f} | "
        f"{base.p95:.0f} | {base.p99:.0f} | {base.failures} | | 1.00 | 1.0× | |"
    )
    run_order = order(out, size)
    for page, label in PAGES.items():
        fig = read(out, size, page)
        if fig is None:
            lines.append(f"| {label} | not measured | | | | | | | | |")
            continue
        near = beside(out, size, page, run_order)
        share = fig.rps / near.rps
        p99_factor = fig.p99 / near.p99 if near.p99 else float("inf")
        shares[page] = share
        ok = share >= MIN_THROUGHPUT_SHARE and p99_factor < MAX_P99_FACTOR and fig.failures == 0
        if page == "ApiCreate":
            rate, note = sustained(out, size, fig)
            ok = ok and rate >= 50
            notes += [note] if note else []
        lines.append(
            f"| {label} | {fig.rps:,.0f} | {fig.p50:.0f} | {fig.p95:.0f} | {fig.p99:.0f} | {fig.failures} | "
            f"{near.rps:,.0f} · {near.p99:.0f} | {share:.2f} | {p99_factor:.1f}× | {'met' if ok else '**missed**'} |"
        )
    lines += ["", " ".join([*notes, f"Scheduler: {scheduler(out, size)}."]), ""]
    return lines, shares


def growth_table(shares: dict[str, dict[str, float]], sizes: list[str]) -> list[str]:
    small, large = sizes[0], sizes[-1]
    lines = [
        f"### Growth from {int(small):,} to {int(large):,} reports",
        "",
        "Throughput relative to the minimal view in the same run, so that the load of the machine cancels out.",
        "",
        f"| page | share at {int(small):,} | share at {int(large):,} | slowdown | target ≤ {MAX_GROWTH}× |",
        "| --- | ---: | ---: | ---: | --- |",
    ]
    for page, label in PAGES.items():
        a, b = shares[small].get(page), shares[large].get(page)
        if a is None or b is None:
            lines.append(f"| {label} | | | not measured | |")
            continue
        slowdown = a / b
        lines.append(
            f"| {label} | {a:.2f} | {b:.2f} | {slowdown:.2f}× | {'met' if slowdown <= MAX_GROWTH else '**missed**'} |"
        )
    return [*lines, ""]


def render(out: Path, sizes: list[str]) -> str:
    lines: list[str] = []
    shares = {}
    for size in sizes:
        table, shares[size] = size_table(out, size)
        lines += table
    if len(sizes) > 1:
        lines += growth_table(shares, sizes)
    return "\n".join(lines)


def update(path: Path, text: str) -> None:
    doc = path.read_text(encoding="utf-8")
    if BEGIN not in doc or END not in doc:
        raise SystemExit(f"{path}: no {BEGIN} ... {END} markers")
    head, rest = doc.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    path.write_text(f"{head}{BEGIN}\n{text}\n{END}{tail}", encoding="utf-8")


def main(argv: list[str]) -> None:
    args = list(argv)
    target = None
    if "--update" in args:
        i = args.index("--update")
        target = Path(args[i + 1])
        del args[i : i + 2]
    out, sizes = Path(args[0]), args[1:]
    text = render(out, sizes)
    if target:
        update(target, text)
    else:
        print(text)


if __name__ == "__main__":
    main(sys.argv[1:])
