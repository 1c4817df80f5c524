"""The command-line examples of the docs, run: each fenced block after a ``<!-- run -->`` comment holds ``$ llmcost
...`` lines, each followed by the output it prints at a 120-column terminal. ``tests/test_docs_examples.py`` runs them
and compares; ``python tests/docs_examples.py`` rewrites the outputs from a run (review the diff before committing).

Markers (HTML comments, invisible on a rendered page), each on the line before a fenced block:

- ``<!-- file: NAME -->``: the block is the content of file NAME, written into the examples' folder;
- ``<!-- run -->``: run the block's commands; ``<!-- run: head N -->`` / ``<!-- run: tail N -->``: compare (and
  write) only the first / last N lines of each command's output, with a ``...`` line for the rest.
"""

from __future__ import annotations

import re
import shlex
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: The documents whose examples run.
DOCS = ("docs/cli.md",)
WIDTH = 120
_MARK = re.compile(r"^<!-- (file: (?P<file>\S+)|run(?:: (?P<cut>head|tail) (?P<n>\d+))?) -->$")
_FENCE = re.compile(r"^```")


@dataclass
class Block:
    """A marked fenced block: ``kind`` "file" or "run", its content lines and where they are (0-based, end
    excluded)."""

    kind: str
    name: str
    cut: str | None
    n: int
    start: int
    end: int
    lines: list[str]


def blocks(text: str) -> list[Block]:
    """The marked blocks of a document, in order."""
    lines = text.split("\n")
    out = []
    i = 0
    while i < len(lines):
        m = _MARK.match(lines[i].strip())
        if m and i + 1 < len(lines) and _FENCE.match(lines[i + 1]):
            j = i + 2
            while j < len(lines) and not _FENCE.match(lines[j]):
                j += 1
            kind = "file" if m.group("file") else "run"
            out.append(
                Block(kind, m.group("file") or "", m.group("cut"), int(m.group("n") or 0), i + 2, j, lines[i + 2 : j])
            )
            i = j
        i += 1
    return out


def commands(block: Block) -> list[tuple[str, list[str]]]:
    """The ``$ `` commands of a run block with the output lines written under each."""
    out: list[tuple[str, list[str]]] = []
    for line in block.lines:
        if line.startswith("$ "):
            out.append((line[2:], []))
        elif out:
            out[-1][1].append(line)
    return out


def _cut(lines: list[str], cut: str | None, n: int) -> list[str]:
    lines = [x.rstrip() for x in lines]
    while lines and not lines[-1]:
        lines.pop()
    if cut == "head" and len(lines) > n:
        return lines[:n] + ["..."]
    if cut == "tail" and len(lines) > n:
        return ["..."] + lines[-n:]
    return lines


def run(command: str, folder: Path) -> list[str]:
    """The output lines of one ``llmcost`` command run in ``folder`` (stdout and stderr, as a terminal shows them)."""
    import os

    from typer.testing import CliRunner

    from workbook.cli import app

    argv = shlex.split(command)
    if argv[0] != "llmcost":
        raise ValueError(f"only llmcost commands run in the docs' examples (got {command!r})")
    here = Path.cwd()
    os.chdir(folder)
    try:
        result = CliRunner().invoke(app, argv[1:], terminal_width=WIDTH, env={"COLUMNS": str(WIDTH)}, color=False)
    finally:
        os.chdir(here)
    return result.output.split("\n")


def examples(doc: str, folder: Path) -> list[tuple[Block, str, list[str], list[str]]]:
    """Each command of the document's run blocks: (block, command, output written, output now), both cut as the
    block says; the file blocks are written into ``folder`` first, in order."""
    text = (ROOT / doc).read_text(encoding="utf-8")
    out = []
    for b in blocks(text):
        if b.kind == "file":
            target = folder / b.name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text("\n".join(b.lines) + "\n", encoding="utf-8")
            continue
        for command, written in commands(b):
            out.append((b, command, _cut(written, None, 0), _cut(run(command, folder), b.cut, b.n)))
    return out


def update(doc: str, folder: Path) -> int:
    """Rewrite the outputs of the document's run blocks from a run; returns the number of commands whose output
    changed."""
    path = ROOT / doc
    lines = path.read_text(encoding="utf-8").split("\n")
    changed = 0
    done = examples(doc, folder)
    for b in reversed(blocks("\n".join(lines))):
        if b.kind != "run":
            continue
        new: list[str] = []
        for _, command, written, now in (e for e in done if e[0].start == b.start):
            new += [f"$ {command}", *now]
            changed += written != now
        lines[b.start : b.end] = new
    path.write_text("\n".join(lines), encoding="utf-8")
    return changed


if __name__ == "__main__":
    import tempfile

    sys.path.insert(0, str(ROOT))
    total = 0
    for d in DOCS:
        with tempfile.TemporaryDirectory() as tmp:
            n = update(d, Path(tmp))
        print(f"{d}: {n} example(s) rewritten")
        total += n
    sys.exit(0)
