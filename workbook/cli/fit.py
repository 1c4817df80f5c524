"""Tables that fit the terminal without cutting a money figure.

Every table the CLI prints for people goes through :func:`print_fitted`. Its columns are described by
:class:`Col`: a ``money`` column (and a ``key`` column, the row's name) is never cut, never wrapped and never
dropped; an ``eng`` column (GPUs, batch, TTFT, utilisation ...) keeps its figures whole too but is dropped first
when the terminal is narrow; a ``text`` column (ids, meanings) folds to its ``min_width`` (a key column too when
told so, for long ids). When the table is too wide:

1. ``eng``/``text`` columns with a ``drop`` rank are left out, the highest rank first, until it fits; a
   footer line names them and how to see them (``--format json`` or a wider terminal);
2. if the columns that are never dropped still do not fit, the table is printed in parts, the key columns
   repeated in each part ("(continued)").

Headers wrap at spaces inside the column's width (the widest figure or header word) when the terminal has
no room for them on one line, so a figure sets the width, never a header. Nothing here reads the engine:
cells arrive as text.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from rich.console import Console
from rich.measure import Measurement
from rich.table import Table

__all__ = ["Col", "print_fitted", "plural", "MONEY", "KEY", "ENG", "TEXT"]

MONEY, KEY, ENG, TEXT = "money", "key", "eng", "text"
#: How the footer tells where the dropped columns are.
SEE_ALL = "see them with --format json or a wider terminal"


@dataclass(frozen=True)
class Col:
    """One column: its header, kind (:data:`MONEY`, :data:`KEY`, :data:`ENG` or :data:`TEXT`), alignment,
    ``drop`` rank (0 = never dropped; higher ranks go first) and, for text, the width it folds to [characters]."""

    head: str
    kind: str = ENG
    justify: str = "right"
    drop: int = 0
    min_width: int = 20
    fold: bool | None = None

    @property
    def folds(self) -> bool:
        """Long text folds to ``min_width`` (text columns, and key columns told so: long ids)."""
        return self.kind == TEXT if self.fold is None else self.fold


def plural(n: int, word: str, words: str | None = None) -> str:
    """``1 row``, ``2 rows``, ``1,234 rows``: the count and the word in the right number.

    >>> plural(1, "row"), plural(0, "row"), plural(2, "entry", "entries")
    ('1 row', '0 rows', '2 entries')
    """
    return f"{n:,} {word if n == 1 else (words or word + 's')}"


def _need(col: Col, cells: Sequence[str]) -> int:
    """The width a column needs [characters]: its widest cell or header word (text: at most ``min_width``)."""
    widest = max((len(line) for c in cells for line in c.splitlines() or [""]), default=0)
    word = max((len(w) for w in col.head.split()), default=0)
    if col.folds:
        return min(max(widest, word), col.min_width)
    return max(widest, word, 1)


def _widths(cols: Sequence[Col], rows: Sequence[Sequence[str]], spare: int) -> list[int]:
    """Each column's width [characters]: its need, and for folding columns a share of ``spare`` (one character
    at a time, up to their widest cell; key columns first, then headers kept on one line), so that rich never
    has to shrink a column (it would cut figures)."""
    widths = [_need(col, [r[k] for r in rows]) for k, col in enumerate(cols)]
    room = {k: max((len(r[k]) for r in rows), default=0) - widths[k] for k, col in enumerate(cols) if col.folds}
    for k in [k for k in room if cols[k].kind == KEY]:  # the row's name first, whole where it fits
        more = min(room.pop(k), spare)
        widths[k] += more
        spare -= more
    order = sorted(range(len(cols)), key=lambda k: (cols[k].kind not in (KEY, MONEY), k))
    for k, col in ((k, cols[k]) for k in order):  # then headers on one line, money's first
        if not col.folds and len(col.head) > widths[k] and len(col.head) - widths[k] <= spare:
            spare -= len(col.head) - widths[k]
            widths[k] = len(col.head)
    while spare > 0 and any(v > 0 for v in room.values()):
        for k in room:
            if room[k] > 0 and spare > 0:
                widths[k] += 1
                room[k] -= 1
                spare -= 1
    return widths


def _build(
    table_kw: dict[str, Any], cols: Sequence[Col], rows: Sequence[Sequence[str]], title: str | None, spare: int
) -> Table:
    table = Table(title=title, title_justify="left", **table_kw)
    for col, need in zip(cols, _widths(cols, rows, spare)):
        if col.folds:
            table.add_column(col.head, justify=col.justify, overflow="fold", width=need)
        else:
            head = "\n".join(textwrap.wrap(col.head, need, break_long_words=False)) or col.head
            table.add_column(head, justify=col.justify, no_wrap=True, min_width=need)
    for r in rows:
        table.add_row(*r)
    return table


def _width(table_kw: dict[str, Any], cols: Sequence[Col], rows: Sequence[Sequence[str]], console: Console) -> int:
    """The narrowest width [characters] the table can take without cutting a figure: each column at its need,
    text columns folded, plus rich's padding and borders (measured on a placeholder row)."""
    probe = Table(**table_kw)
    needs = [_need(col, [r[k] for r in rows]) for k, col in enumerate(cols)]
    for n in needs:
        probe.add_column("", no_wrap=True, min_width=n)
    probe.add_row(*("x" * n for n in needs))
    return Measurement.get(console, console.options.update_width(100_000), probe).maximum


def _parts(shown: list[int], keys: list[int], fits: Callable[[list[int]], bool]) -> list[list[int]]:
    """``shown`` cut into as few consecutive parts as fit (greedily), then evened out (the same number of
    columns in each part where that fits too); the ``keys`` columns lead every part."""
    rest = [i for i in shown if i not in keys]
    greedy: list[list[int]] = [[]]
    for i in rest:
        if greedy[-1] and not fits([*keys, *greedy[-1], i]):
            greedy.append([])
        greedy[-1].append(i)
    size = -(-len(rest) // len(greedy))
    even = [rest[k : k + size] for k in range(0, len(rest), size)]
    chosen = even if len(even) == len(greedy) and all(fits([*keys, *p]) for p in even) else greedy
    return [[*keys, *p] for p in chosen]


def print_fitted(
    console: Console,
    cols: Sequence[Col],
    rows: Sequence[Sequence[str]],
    title: str | None = None,
    **table_kw: Any,
) -> list[str]:
    """Print ``rows`` (one text per column of ``cols``) as a table that fits ``console.width``; return the
    headers of the columns left out (also said in a footer line)."""
    width = console.width
    shown = list(range(len(cols)))

    def sub(idx: Sequence[int]) -> tuple[list[Col], list[list[str]]]:
        return [cols[i] for i in idx], [[r[i] for i in idx] for r in rows]

    droppable = sorted((i for i, c in enumerate(cols) if c.drop and c.kind in (ENG, TEXT)), key=lambda i: -cols[i].drop)
    dropped: list[int] = []
    while _width(table_kw, *sub(shown), console) > width and droppable:
        i = droppable.pop(0)
        shown.remove(i)
        dropped.append(i)
    parts = [shown]
    if _width(table_kw, *sub(shown), console) > width:  # too wide even so: print every column, in parts
        shown, dropped = list(range(len(cols))), []
        parts = _parts(
            shown, [i for i in shown if cols[i].kind == KEY], lambda idx: _width(table_kw, *sub(idx), console) <= width
        )
    if title:  # a line of its own: a narrow table would wrap its title to the table's width
        console.print(title, markup=False)
    for n, part in enumerate(parts):
        spare = max(0, width - _width(table_kw, *sub(sorted(part)), console))
        console.print(_build(table_kw, *sub(sorted(part)), "(continued)" if n else None, spare))
    heads = [cols[i].head for i in sorted(dropped)]
    if heads:
        console.print(f"not shown at {width} columns: {', '.join(heads)} ({SEE_ALL})", markup=False)
    return heads
