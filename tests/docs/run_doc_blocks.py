#!/usr/bin/env python3
"""Runs the commands and snippets of the documentation, as a reader would type them.

What runs: the fenced blocks tagged ``sh``, ``bash`` or ``shell`` (with bash, ``set -e -o pipefail``)
and ``python`` or ``py`` (with the virtual environment's python) in README.md and docs/**/*.md.
Blocks that only show something (no language tag, ``text``, ``yaml``, ``cpp``, ...) are not run.

Where: each document gets a fresh temporary directory holding a copy of the repository's
``examples/`` (and of ``data/``, the tax tables the examples name), so the blocks are written for a
reader in the repository root (``examples/...``), and
what they write (``payouts.csv``, ...) lands in the temporary directory, not in the clone. The
blocks of one document run in their order in that directory; its Python blocks share one
interpreter and one namespace, as a reader typing them into one session would (a later block may
use ``program`` or ``read`` from an earlier one).

With what: the virtual environment's ``bin`` (``.venv``, or ``--venv``) first on PATH, so
``incentives`` is the command that ``pip install .`` put there, and ``python`` is the environment's.
The README's setup (``bash scripts/test.sh``, or ``pip install '.[all]'`` into ``.venv``) must have run.

Not run: a block with an HTML comment on the line before its fence (blank lines may stand between)::

    <!-- not run: it builds the release tree and runs benchmarks for minutes -->
    ```sh
    ...
    ```

is skipped and listed with its reason. A reason is required.

Output: each failure with its file:line (the fence's line), the block and its output; the skipped
blocks; then a closing line ``docs: N passed, N failed, N skipped``. Exit status 0 when nothing
failed, 1 otherwise, 2 for a usage error. Standard library only.

    .venv/bin/python tests/docs/run_doc_blocks.py                 # README.md and docs/
    .venv/bin/python tests/docs/run_doc_blocks.py docs/cli.md     # one document
    .venv/bin/python tests/docs/run_doc_blocks.py --list          # the blocks, without running them
    .venv/bin/python tests/docs/run_doc_blocks.py -v docs/cli.md  # with every block's output
"""

from __future__ import annotations

import argparse
import json
import os
import re
import select
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHELL_TAGS = {"sh", "bash", "shell"}
PYTHON_TAGS = {"python", "py", "python3"}
FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>[^`]*)$")
MARKER = re.compile(r"^\s*<!--\s*not run\s*(?::\s*(?P<reason>.*?))?\s*-->\s*$")
NOT_RUN_LIKE = re.compile(r"<!--\s*not[ -]?run", re.IGNORECASE)
DEFAULT_TIMEOUT = 120.0


@dataclass
class Block:
    path: Path          # the document
    line: int           # 1-based line of the opening fence
    lang: str           # "sh" or "python" for the blocks that run; the tag otherwise
    source: str
    skip_reason: str | None = None

    @property
    def where(self) -> str:
        try:
            name = self.path.relative_to(ROOT)
        except ValueError:
            name = self.path
        return f"{name}:{self.line}"


class MarkerError(Exception):
    pass


def extract(path: Path) -> list[Block]:
    """The fenced blocks of a Markdown file, each with its language and its not-run marker."""
    lines = path.read_text(encoding="utf-8").splitlines()
    blocks: list[Block] = []
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        fence, indent = m["fence"], m["indent"]
        tag = (m["info"].split() or [""])[0].lower()
        start = i
        body: list[str] = []
        i += 1
        while i < len(lines):
            close = FENCE.match(lines[i])
            if close and close["fence"][0] == fence[0] and len(close["fence"]) >= len(fence) and not close["info"].strip():
                break
            body.append(lines[i][len(indent):] if lines[i].startswith(indent) else lines[i].lstrip())
            i += 1
        i += 1
        lang = "sh" if tag in SHELL_TAGS else "python" if tag in PYTHON_TAGS else tag
        block = Block(path, start + 1, lang, textwrap.dedent("\n".join(body)) + "\n")
        # The marker: the nearest line above the fence that is not blank.
        j = start - 1
        while j >= 0 and not lines[j].strip():
            j -= 1
        if j >= 0:
            marker = MARKER.match(lines[j])
            if marker:
                if not (marker["reason"] or "").strip():
                    raise MarkerError(f"{block.where}: the not-run marker needs a reason: <!-- not run: <reason> -->")
                block.skip_reason = marker["reason"].strip()
            elif NOT_RUN_LIKE.search(lines[j]):
                raise MarkerError(f"{block.where}: malformed marker {lines[j].strip()!r}; write <!-- not run: <reason> -->")
        blocks.append(block)
    return blocks


def documents(args: list[str]) -> list[Path]:
    if args:
        return [Path(a).resolve() for a in args]
    return [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]


# The Python session of one document: reads requests (JSON lines: source, file name, output file)
# from the descriptor it is given, runs each block in one namespace with its standard output and error
# (the file descriptors, so the extension's writes too) sent to the request's file, and answers "ok"
# or "failed" on its original standard output.
DRIVER = r"""
import json, os, sys, traceback
requests = os.fdopen(os.dup(0), "r")
replies = os.fdopen(os.dup(1), "w")
os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
namespace = {"__name__": "__main__", "__builtins__": __builtins__}
for request in requests:
    r = json.loads(request)
    out = os.open(r["output"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    saved = os.dup(1), os.dup(2)
    os.dup2(out, 1); os.dup2(out, 2)
    ok = True
    try:
        exec(compile(r["source"], r["name"], "exec"), namespace)
    except SystemExit as e:
        ok = e.code in (None, 0)
        if not ok:
            print(f"SystemExit: {e.code}", file=sys.stderr)
    except BaseException as e:
        ok = False
        traceback.print_exception(type(e), e, e.__traceback__.tb_next)  # from the block's frame on
    sys.stdout.flush(); sys.stderr.flush()
    os.dup2(saved[0], 1); os.dup2(saved[1], 2)
    for fd in (*saved, out):
        os.close(fd)
    print("ok" if ok else "failed", file=replies, flush=True)
"""


class PythonSession:
    def __init__(self, python: Path, cwd: Path, env: dict[str, str], scratch: Path):
        self.scratch = scratch
        driver = scratch / "doc_block_driver.py"
        driver.write_text(DRIVER)
        self.proc = subprocess.Popen([str(python), "-u", str(driver)], cwd=cwd, env=env, text=True,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self.count = 0

    def run(self, block: Block, timeout: float) -> tuple[bool, str]:
        self.count += 1
        output = self.scratch / f"python-block-{self.count}.out"
        assert self.proc.stdin and self.proc.stdout
        # Blank lines before the block, so that a traceback names the line of the document itself.
        request = {"source": "\n" * block.line + block.source, "name": str(block.path), "output": str(output)}
        self.proc.stdin.write(json.dumps(request) + "\n")
        self.proc.stdin.flush()
        ready, _, _ = select.select([self.proc.stdout], [], [], timeout)
        if not ready:
            self.close()
            text = output.read_text(errors="replace") if output.exists() else ""
            return False, text + f"\n(timed out after {timeout:.0f} s)"
        reply = self.proc.stdout.readline().strip()
        text = output.read_text(errors="replace") if output.exists() else ""
        if reply not in ("ok", "failed"):  # the interpreter died: what it said is on its stdout
            rest = self.proc.stdout.read() if self.proc.poll() is not None else ""
            self.close()
            return False, text + reply + "\n" + rest + f"\n(the Python session ended, status {self.proc.returncode})"
        return reply == "ok", text

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()

    @property
    def alive(self) -> bool:
        return self.proc.poll() is None


def run_shell(block: Block, cwd: Path, env: dict[str, str], timeout: float) -> tuple[bool, str]:
    try:
        # The ERR trap names the command that failed (bash -e stops there).
        script = 'trap \'echo "(failed: $BASH_COMMAND, exit status $?)" >&2\' ERR\n' + block.source
        proc = subprocess.run(["bash", "--noprofile", "--norc", "-e", "-o", "pipefail", "-c", script],
                              cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True, errors="replace", timeout=timeout)
    except subprocess.TimeoutExpired as e:
        out = e.output if isinstance(e.output, str) else (e.output or b"").decode(errors="replace")
        return False, out + f"\n(timed out after {timeout:.0f} s)"
    out = proc.stdout
    if proc.returncode != 0:
        out += f"\n(exit status {proc.returncode})"
    return proc.returncode == 0, out


def environment(venv: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONHOME", None)
    env.pop("PYTHONPATH", None)
    env["VIRTUAL_ENV"] = str(venv)
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    env.setdefault("MPLBACKEND", "Agg")  # the plotting examples save files; no display here
    return env


def tail(text: str, lines: int = 60) -> str:
    parts = text.rstrip("\n").splitlines()
    if len(parts) > lines:
        parts = [f"... ({len(parts) - lines} lines before)"] + parts[-lines:]
    return "\n".join(parts)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="*", help="Markdown files (default: README.md and docs/**/*.md)")
    parser.add_argument("--venv", type=Path, default=Path(os.environ.get("INCENTIVES_DOCS_VENV", ROOT / ".venv")),
                        help="the virtual environment whose bin goes first on PATH (default: .venv)")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, help="seconds per block")
    parser.add_argument("--list", action="store_true", help="list the blocks and what would happen to them")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directories (their paths are printed)")
    parser.add_argument("-v", "--verbose", action="store_true", help="show every block's output, not only a failure's")
    args = parser.parse_args()

    try:
        docs = [(path, extract(path)) for path in documents(args.files)]
    except (MarkerError, OSError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2

    if args.list:
        for _, blocks in docs:
            for b in blocks:
                what = (f"not run: {b.skip_reason}" if b.skip_reason else "run") if b.lang in ("sh", "python") else "shown only"
                print(f"{b.where:32} {b.lang or '(no tag)':8} {what}")
        return 0

    venv = args.venv.resolve()
    python = venv / "bin" / "python"
    if not python.exists():
        print(f"error: no virtual environment at {venv}: run bash scripts/setup.sh, then pip install '.[all]' into it "
              "(bash scripts/test.sh does both)", file=sys.stderr)
        return 2
    env = environment(venv)
    examples = ROOT / "examples"

    passed: list[Block] = []
    failed: list[tuple[Block, str]] = []
    skipped: list[Block] = []
    started = time.monotonic()
    for path, blocks in docs:
        runnable = [b for b in blocks if b.lang in ("sh", "python")]
        if not runnable:
            continue
        workdir = Path(tempfile.mkdtemp(prefix=f"doc-{path.stem}-"))
        scratch = Path(tempfile.mkdtemp(prefix="doc-session-"))
        shutil.copytree(examples, workdir / "examples")
        shutil.copytree(ROOT / "data", workdir / "data")  # examples/simulation names ../../data/tax
        session: PythonSession | None = None
        try:
            for b in runnable:
                if b.skip_reason:
                    skipped.append(b)
                    continue
                t0 = time.monotonic()
                if b.lang == "sh":
                    ok, out = run_shell(b, workdir, env, args.timeout)
                else:
                    if session is None or not session.alive:
                        session = PythonSession(python, workdir, env, scratch)
                    ok, out = session.run(b, args.timeout)
                seconds = time.monotonic() - t0
                print(f"{'ok    ' if ok else 'FAILED'} {b.where:32} {b.lang:7} {seconds:6.2f} s", flush=True)
                if args.verbose and ok and out.strip():
                    print(textwrap.indent(tail(out, 20), "    "), flush=True)
                if ok:
                    passed.append(b)
                else:
                    failed.append((b, out))
        finally:
            if session is not None:
                session.close()
            shutil.rmtree(scratch, ignore_errors=True)
            if args.keep:
                print(f"  kept {workdir}")
            else:
                shutil.rmtree(workdir, ignore_errors=True)

    for b, out in failed:
        print(f"\n=== FAILED {b.where} ({b.lang}), run in a temporary directory with a copy of examples/")
        print("--- the block:")
        print(textwrap.indent(b.source.rstrip("\n"), "    "))
        print("--- its output:")
        print(textwrap.indent(tail(out) or "(none)", "    "))
    if skipped:
        print("\nnot run (marked <!-- not run: ... -->):")
        for b in skipped:
            print(f"  {b.where:32} {b.skip_reason}")
    print(f"\n{time.monotonic() - started:.1f} s")
    print(f"docs: {len(passed)} passed, {len(failed)} failed, {len(skipped)} skipped")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
