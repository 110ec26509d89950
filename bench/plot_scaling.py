"""Plots the scaling curves of incentives_bench_scaling (bench/bench_scaling.cpp) and prints them as a
markdown table.

    incentives_bench_scaling --benchmark_format=json --benchmark_out=build/scaling.json
    .venv/bin/python bench/plot_scaling.py build/scaling.json [more.json ...] [--img-dir docs/img]

Writes scaling-events.png, scaling-partners.png, scaling-rules.png and scaling-threads.png into the
image directory (for the sweeps that have points). Several JSON files are merged; a point measured in
a later file replaces the same point of an earlier one. A sweep is the set of points that keep the
other three arguments at the base point (10 M events, 10,000 partners, 2 rules, 1 thread), so the base
point belongs to every sweep.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.ticker import FuncFormatter  # noqa: E402

BASE = {"events": 10_000_000, "partners": 10_000, "rules": 2, "threads": 1}
ARGS = ("events", "partners", "rules", "threads")
SWEEPS = ("events", "partners", "rules", "threads")
NAME = re.compile(r"events:(\d+)/partners:(\d+)/rules:(\d+)/threads:(\d+)")


def load(paths: list[Path]) -> tuple[dict, dict]:
    """The context of the last file and the points by (events, partners, rules, threads)."""
    context: dict = {}
    points: dict[tuple, dict] = {}
    for path in paths:
        doc = json.loads(path.read_text())
        context = doc.get("context", {})
        for b in doc.get("benchmarks", []):
            if b.get("run_type", "iteration") != "iteration" or not b["name"].startswith("BM_scaling"):
                continue
            m = NAME.search(b["name"])
            if not m:
                continue
            key = tuple(int(x) for x in m.groups())
            p = dict(zip(ARGS, key))
            p["error"] = b.get("error_message") if b.get("error_occurred") else None
            if not p["error"]:
                p["eps"] = b["items_per_second"]
                p["total_s"] = b["real_time"] * {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}[b.get("time_unit", "ns")]
                for c in ("add_s", "run_s", "lines", "rss_MiB_per_M_events", "engine_MiB_per_M_events",
                          "batch_MiB_per_M_events", "add_peak_MiB_per_M_events", "run_extra_MiB",
                          "peak_MiB_per_M_events", "mem_available_GiB", "loadavg_1m", "generate_s", "add_user_s",
                          "add_sys_s", "add_faults_per_event", "run_user_s", "run_sys_s"):
                    p[c] = b.get(c)
                p["iterations"] = b.get("iterations")
            points[key] = p
    return context, points


def sweep(points: dict, name: str) -> list[dict]:
    others = [a for a in ARGS if a != name]
    return sorted((p for p in points.values() if all(p[a] == BASE[a] for a in others)), key=lambda p: p[name])


def machine(context: dict) -> str:
    cpu = context.get("cpu_model")
    if not cpu:
        try:
            cpu = next(l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name"))
        except (OSError, StopIteration):
            cpu = "unknown CPU"
    parts = [cpu, f"{context.get('num_cpus', '?')} CPUs"]
    if context.get("mem_total_GiB"):
        parts.append(f"{float(context['mem_total_GiB']):.0f} GiB")
    date = str(context.get("date", ""))[:16].replace("T", " ")
    return ", ".join(parts) + (f" — {date}" if date else "")


def count(x: float, _pos=None) -> str:
    for div, suffix in ((1e6, " M"), (1e3, " k")):
        if x >= div:
            v = x / div
            return f"{v:.0f}{suffix}" if v == int(v) else f"{v:g}{suffix}"
    return f"{x:g}"


def title(fig, what: str, context: dict) -> None:
    fig.suptitle(f"{what}\n{machine(context)}", fontsize=10)


def skipped_note(ax, pts: list[dict], key: str) -> None:
    bad = [p for p in pts if p["error"]]
    if bad:
        text = "\n".join(f"{count(p[key])}: skipped — {p['error']}" for p in bad)
        ax.text(0.02, 0.02, text, transform=ax.transAxes, fontsize=7, va="bottom", color="firebrick", wrap=True)


def plot_events(pts: list[dict], context: dict, out: Path) -> None:
    ok = [p for p in pts if not p["error"]]
    fig, (a1, a2, a3) = plt.subplots(1, 3, figsize=(15, 4.8))
    n = [p["events"] for p in ok]
    a1.loglog(n, [p["total_s"] for p in ok], "o-", label="add + run")
    a1.loglog(n, [p["add_s"] for p in ok], "s--", label="add")
    a1.loglog(n, [p["run_s"] for p in ok], "^:", label="run")
    if all(p.get("add_user_s") and p.get("add_sys_s") for p in ok):
        a1.loglog(n, [p["add_user_s"] for p in ok], "x-", lw=0.8, label="add: user CPU")
        a1.loglog(n, [p["add_sys_s"] for p in ok], "+-", lw=0.8, label="add: system CPU (page faults)")
    ref = next((p for p in ok if p["events"] == BASE["events"]), ok[-1] if ok else None)
    if ref:
        lo, hi = min(n), max(p["events"] for p in pts)
        a1.loglog([lo, hi], [ref["total_s"] * lo / ref["events"], ref["total_s"] * hi / ref["events"]], color="grey",
                  lw=0.8, label="linear through 10 M")
    a1.set_xlabel("events")
    a1.set_ylabel("seconds (real time)")
    a1.set_title("time", fontsize=9)
    a1.legend(fontsize=8)
    a1.grid(True, which="both", alpha=0.3)
    a2.semilogx(n, [p["eps"] / 1e6 for p in ok], "o-", label="add + run")
    a2.semilogx(n, [p["events"] / p["add_s"] / 1e6 for p in ok], "s--", label="add alone")
    a2.set_ylim(bottom=0)
    a2.set_xlabel("events")
    a2.set_ylabel("M events / s")
    a2.set_title("throughput", fontsize=9)
    a2.legend(fontsize=8)
    a2.grid(True, which="both", alpha=0.3)
    skipped_note(a2, pts, "events")
    a3.semilogx(n, [p["rss_MiB_per_M_events"] for p in ok], "o-", label="process RSS after add")
    a3.semilogx(n, [p["engine_MiB_per_M_events"] for p in ok], "s--", label="engine (RSS delta)")
    a3.semilogx(n, [p["batch_MiB_per_M_events"] for p in ok], "^:", label="column batch")
    if all(p.get("add_peak_MiB_per_M_events") for p in ok):
        a3.semilogx(n, [p["add_peak_MiB_per_M_events"] for p in ok], "d-.", label="batch + engine at the peak of add")
    a3.set_ylim(bottom=0)
    a3.set_xlabel("events")
    a3.set_ylabel("MiB per million events")
    a3.set_title("memory", fontsize=9)
    a3.legend(fontsize=8)
    a3.grid(True, which="both", alpha=0.3)
    for a in (a1, a2, a3):
        a.xaxis.set_major_formatter(FuncFormatter(count))
    title(fig, "incentives engine: add + run vs events (10 k partners, 2 rules, 1 thread, traces off)", context)
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    plt.close(fig)


def plot_two(pts: list[dict], key: str, xlabel: str, what: str, context: dict, out: Path, logx: bool,
             linear_fit: bool = False) -> None:
    ok = [p for p in pts if not p["error"]]
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(11, 4.6))
    x = [p[key] for p in ok]
    plot = a1.semilogx if logx else a1.plot
    plot(x, [p["eps"] / 1e6 for p in ok], "o-", label="add + run")
    plot(x, [p["events"] / p["add_s"] / 1e6 for p in ok], "s--", label="add alone")
    a1.set_ylim(bottom=0)
    a1.set_xlabel(xlabel)
    a1.set_ylabel("M events / s")
    a1.set_title("throughput", fontsize=9)
    a1.legend(fontsize=8)
    a1.grid(True, which="both", alpha=0.3)
    skipped_note(a1, pts, key)
    plot = a2.semilogx if logx else a2.plot
    plot(x, [p["total_s"] for p in ok], "o-", label="add + run")
    plot(x, [p["add_s"] for p in ok], "s--", label="add")
    plot(x, [p["run_s"] for p in ok], "^:", label="run")
    if linear_fit and len(ok) >= 2:
        # add = fixed cost per event + cost per event and rule: a least-squares line through the points
        import numpy as np

        slope, intercept = np.polyfit(x, [p["add_s"] for p in ok], 1)
        per = 1e9 / ok[0]["events"]
        plot([0, max(x)], [intercept, intercept + slope * max(x)], color="grey", lw=0.8,
             label=f"add fit: {intercept * per:.0f} ns + {slope * per:.1f} ns x {key} per event")
    a2.set_ylim(bottom=0)
    a2.set_xlabel(xlabel)
    a2.set_ylabel("seconds (real time)")
    a2.set_title("time", fontsize=9)
    a2.legend(fontsize=8)
    a2.grid(True, which="both", alpha=0.3)
    if logx:
        for a in (a1, a2):
            a.xaxis.set_major_formatter(FuncFormatter(count))
    title(fig, what, context)
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    plt.close(fig)


def plot_threads(pts: list[dict], context: dict, out: Path) -> None:
    ok = [p for p in pts if not p["error"]]
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(10, 4.4))
    labels = [f"{p['threads']} thread{'s' if p['threads'] > 1 else ''}" for p in ok]
    a1.bar(labels, [p["eps"] / 1e6 for p in ok], color="tab:blue", label="add + run")
    a1.bar(labels, [p["events"] / p["add_s"] / 1e6 for p in ok], color="none", edgecolor="tab:orange", lw=2,
           label="add alone")
    for i, p in enumerate(ok):
        a1.text(i, p["eps"] / 1e6, f"{p['eps'] / 1e6:.2f}", ha="center", va="bottom", fontsize=8)
    a1.set_ylabel("M events / s")
    a1.set_title("throughput", fontsize=9)
    a1.legend(fontsize=8)
    a2.bar(labels, [p["add_s"] for p in ok], label="add")
    a2.bar(labels, [p["run_s"] for p in ok], bottom=[p["add_s"] for p in ok], label="run")
    if len(ok) >= 2:
        one = next((p for p in ok if p["threads"] == 1), ok[0])
        for i, p in enumerate(ok):
            a2.text(i, p["total_s"], f"add x{one['add_s'] / p['add_s']:.2f}", ha="center", va="bottom", fontsize=8)
    a2.set_ylabel("seconds (real time)")
    a2.set_title("time (speed-up of add over 1 thread)", fontsize=9)
    a2.legend(fontsize=8)
    title(fig, "incentives engine: add + run vs threads (10 M events, 10 k partners, 2 rules)", context)
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    plt.close(fig)


def table(points: dict) -> str:
    head = ("| sweep | events | partners | rules | threads | M events/s | add s | run s | add + run s | lines "
            "| RSS MiB / M events | engine MiB / M events | batch MiB / M events | add peak MiB / M events "
            "| run extra MiB | add user s | add sys s | add faults / event | load |")
    rows = [head, "|" + "---|" * (head.count("|") - 1)]
    seen_base = False
    for s in SWEEPS:
        for p in sweep(points, s):
            is_base = all(p[a] == BASE[a] for a in ARGS)
            label = "base" if is_base else s
            if is_base and seen_base:
                continue
            seen_base = seen_base or is_base
            cells = [label, count(p["events"]), count(p["partners"]), str(p["rules"]), str(p["threads"])]
            if p["error"]:
                cells += [f"skipped: {p['error']}"] + [""] * 13
            else:
                def f(v, fmt):
                    return "" if v is None else format(v, fmt)
                cells += [f(p["eps"] / 1e6, ".2f"), f(p["add_s"], ".3f"), f(p["run_s"], ".3f"), f(p["total_s"], ".3f"),
                          f(p["lines"], ".0f"), f(p["rss_MiB_per_M_events"], ".0f"),
                          f(p["engine_MiB_per_M_events"], ".0f"), f(p["batch_MiB_per_M_events"], ".0f"),
                          f(p.get("add_peak_MiB_per_M_events"), ".0f"), f(p.get("run_extra_MiB"), ".0f"),
                          f(p.get("add_user_s"), ".2f"), f(p.get("add_sys_s"), ".2f"),
                          f(p.get("add_faults_per_event"), ".3f"), f(p.get("loadavg_1m"), ".1f")]
            rows.append("| " + " | ".join(cells) + " |")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("json", nargs="+", type=Path, help="output of --benchmark_format=json --benchmark_out=F")
    ap.add_argument("--img-dir", type=Path, default=Path(__file__).resolve().parent.parent / "docs" / "img")
    a = ap.parse_args(argv)
    context, points = load(a.json)
    if not points:
        print("no BM_scaling points in " + ", ".join(map(str, a.json)), file=sys.stderr)
        return 1
    a.img_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for s in SWEEPS:
        pts = sweep(points, s)
        if len(pts) < 2 or not any(not p["error"] for p in pts):
            continue
        out = a.img_dir / f"scaling-{s}.png"
        if s == "events":
            plot_events(pts, context, out)
        elif s == "partners":
            plot_two(pts, "partners", "partners", "incentives engine: add + run vs partners (10 M events, 2 rules, 1 thread)",
                     context, out, logx=True)
        elif s == "rules":
            plot_two(pts, "rules", "rules", "incentives engine: add + run vs rules (10 M events, 10 k partners, 1 thread)",
                     context, out, logx=False, linear_fit=True)
        else:
            plot_threads(pts, context, out)
        written.append(out)
    print(f"Machine: {machine(context)}\n")
    print(table(points))
    print()
    for w in written:
        print(f"wrote {w}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
