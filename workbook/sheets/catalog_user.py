"""The user's rows of a catalog sheet: blank input rows below the shipped ones, and a check per row.

Below the shipped rows of the Hardware, Models, Cloud Offers and Servers sheets come a marker row ("your rows:
add a GPU here"), a row saying which columns are required, and :data:`USER_ROWS` blank input rows (unlocked,
styled as inputs). The sheet's defined names (``hw_memory_gb``, ``list_gpus``, ...) cover them, so a typed row
is found by every lookup; ``<prefix>_user_rows`` names the block (read by ``llmcost evaluate`` and carried by
``llmcost refresh``).

The check column says what a typed row lacks, with the rules of the engine's row classes
(:mod:`costengine.user_rows`): ``"memory_gb (Hardware!D40): is empty"``; a blank row is fine. The rules are tried
in order and the first that fails is shown; they are split into parts (a chain of IFs each, nested at most
:data:`PART_NESTING` deep, where one chain of all would nest some 56 levels, near Excel's 64): each part's cell, in
hidden columns right of the check column, shows the earlier part's problem or else its own, and the check column
holds the last part. A part is computed only while the earlier ones found nothing, as in one chain.
``<prefix>_user_check`` names the column, ``<prefix>_user_first`` the sheet's first problem (the Inputs status
shows it, and every option waits while there is one, as ``llmcost evaluate`` refuses the workbook). An id that
repeats a shipped id (or an earlier row's) is a problem: the lookups would find the first row, not the user's.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import accumulate

from openpyxl.utils import get_column_letter

from costengine.catalog_rows import GPU_FIELDS, GPU_PRICE_SOURCES, OFFER_FIELDS, SERVER_FIELDS
from costengine.model_rows import MODEL_FIELDS
from costengine.price_rules import GRADES

from ..kit import Book, escape_lookup, formula_shape, header_row, put, put_text

__all__ = ["USER_ROWS", "PART_NESTING", "Rules", "UserBlock", "RULES", "user_block", "user_checks"]

#: Blank input rows below each catalog's shipped rows.
USER_ROWS = 20
#: The deepest nesting of function calls a cell of a row's check may have (its rules are split into parts to keep
#: within it; Excel allows under 64).
PART_NESTING = 20


@dataclass(frozen=True)
class Rules:
    """The rules of one catalog's rows (those of its row class in :mod:`costengine.catalog_rows`)."""

    what: str  # "a GPU"
    positive: tuple[str, ...] = ()  # a number > 0
    whole: tuple[str, ...] = ()  # counts: whole numbers
    optional: tuple[str, ...] = ()  # blank, or a number > 0
    zero_ok: tuple[str, ...] = ()  # a number >= 0 (0 for "none": a dense model's experts)
    text: tuple[str, ...] = ()  # required text
    ids: tuple[str, ...] = ("id",)  # text ids (a number is refused)
    choices: tuple[tuple[str, tuple[str, ...]], ...] = ()
    logical: tuple[str, ...] = ()  # TRUE or FALSE (blank = FALSE)
    gpu: bool = False  # the row names a GPU of the Hardware sheet


RULES: dict[str, Rules] = {
    "hw": Rules(
        "a GPU",
        positive=GPU_FIELDS.positive,
        optional=GPU_FIELDS.optional,
        text=GPU_FIELDS.text,
        choices=(("interconnect", ("nvlink", "xgmi", "pcie")), ("fp8_hardware", ("yes", "no"))),
    ),
    "md": Rules(
        "a model",
        positive=MODEL_FIELDS.positive,
        whole=(
            "layers",
            "attention_heads",
            "kv_heads",
            "head_dim",
            "hidden_size",
            "context_length",
            "experts",
            "experts_per_token",
        ),
        zero_ok=("experts", "experts_per_token", "expert_params_billion"),
        text=MODEL_FIELDS.text,
        logical=("reasoning",),
    ),
    "of": Rules(
        "a cloud offer",
        positive=OFFER_FIELDS.positive,
        whole=("gpus_per_instance",),
        optional=OFFER_FIELDS.optional,
        text=OFFER_FIELDS.text,
        ids=("id", "gpu"),
        gpu=True,
    ),
    "sv": Rules(
        "a server",
        positive=SERVER_FIELDS.positive,
        whole=("gpus_per_server",),
        optional=SERVER_FIELDS.optional,
        text=SERVER_FIELDS.text,
        ids=("id", "gpu"),
        choices=(("standard", ("yes", "no")),),
        gpu=True,
    ),
}


@dataclass(frozen=True)
class UserBlock:
    """Where a sheet's user rows are: marker and tag rows, first and last user row."""

    marker: int
    first: int
    last: int


def user_block(last_shipped: int) -> UserBlock:
    """The rows of the user block below the shipped rows (which end at ``last_shipped``)."""
    return UserBlock(marker=last_shipped + 1, first=last_shipped + 3, last=last_shipped + 2 + USER_ROWS)


def _tag(rules: Rules, c: str) -> str:
    if c in rules.positive or c in rules.text or c in rules.ids or c == "as_of" or c in dict(rules.choices):
        return "required"
    if c in rules.optional:
        return "blank = none"
    if c in rules.zero_ok:
        return "required (0 = none)"
    if c in rules.logical:
        return "TRUE/FALSE (blank = FALSE)"
    return "optional"


def _row_rules(rules: Rules, columns: tuple[str, ...], title: str, r: int, marker: int, list_name: str) -> list:
    """(condition, message) pairs of one user row, first problem first (Excel expressions)."""
    at = {c: f"{get_column_letter(j + 1)}{r}" for j, c in enumerate(columns)}
    key = lambda c: f"{c} ({title}!{at[c]}): "  # noqa: E731
    blank = lambda c: f"LEN(TRIM({at[c]}))=0"  # noqa: E731
    out = []
    ident = at["id"]
    pos = f"MATCH({escape_lookup(f'TRIM({ident})')},{list_name},0)"
    out.append((blank("id"), f'"{key("id")}is empty"'))
    for c in rules.ids:
        out.append((f"ISNUMBER({at[c]})", f'"{key(c)}must be text (an id)"'))
    shipped = f"ROW(A{marker})-2"  # the shipped rows: 2 .. the marker row - 1
    out.append(
        (
            f"IF(ISNA({pos}),FALSE,{pos}<ROW()-1)",
            f'"{key("id")}"&TRIM({ident})&" repeats the id of "&IF({pos}<={shipped},'
            f'"a shipped row","an earlier row of yours")&" (row "&({pos}+1)&")"',
        )
    )
    numeric = (*rules.positive, *rules.optional, *rules.zero_ok)
    for c in dict.fromkeys(numeric):
        out.append((f"AND(NOT({blank(c)}),NOT(ISNUMBER({at[c]})))", f'"{key(c)}must be a number"'))
    for c in rules.whole:
        out.append((f"AND(ISNUMBER({at[c]}),{at[c]}<>INT({at[c]}))", f'"{key(c)}must be a whole number"'))
    for c in rules.positive:
        out.append((blank(c), f'"{key(c)}is empty"'))
        out.append((f"{at[c]}<=0", f'"{key(c)}must be a positive number"'))
    for c in rules.optional:
        out.append((f"AND(ISNUMBER({at[c]}),{at[c]}<=0)", f'"{key(c)}must be blank or a positive number"'))
    for c in rules.zero_ok:
        out.append((blank(c), f'"{key(c)}is empty"'))
        out.append((f"{at[c]}<0", f'"{key(c)}must be a number >= 0"'))
    for c in rules.text:
        out.append((blank(c), f'"{key(c)}is empty"'))
    n = lambda pattern: f'LEN("{pattern}")'  # noqa: E731 - positions in YYYY-MM-DD

    def date_ok(c: str) -> str:  # VALUE reads an ISO date in every locale; 2026-02-30 is none
        t = f"TRIM({at[c]})"
        return (
            f'AND(NOT(ISNUMBER({at[c]})),LEN({t})={n("YYYY-MM-DD")},MID({t},{n("YYYY-")},1)="-",'
            f'MID({t},{n("YYYY-MM-")},1)="-",ISNUMBER(VALUE(LEFT({t},{n("YYYY")}))),'
            f"ISNUMBER(VALUE(MID({t},{n('YYYY-')}+1,{n('MM')}))),ISNUMBER(VALUE(RIGHT({t},{n('DD')}))),"
            f"ISNUMBER(VALUE({t})))"
        )

    out.append((blank("as_of"), f'"{key("as_of")}is empty"'))
    out.append((f"NOT({date_ok('as_of')})", f'"{key("as_of")}must be a date typed as text YYYY-MM-DD"'))
    for p in ("", "cloud_"):  # a price's dating (costengine.catalog_rows.check_dating): each blank or well formed
        if p + "grade" not in at:  # a GPU dates its cloud price too (cloud_price_date, cloud_read_on, cloud_grade)
            continue
        for c in (p + "price_date", p + "read_on"):
            out.append(
                (
                    f"AND(NOT({blank(c)}),NOT({date_ok(c)}))",
                    f'"{key(c)}must be blank or a date typed as text YYYY-MM-DD"',
                )
            )
        g = at[p + "grade"]
        ok = ",".join(f'AND(LEN(TRIM({g}))=LEN("{v}"),SUBSTITUTE(TRIM({g}),"{v}","")="")' for v in GRADES)
        out.append(
            (
                f"AND(NOT({blank(p + 'grade')}),NOT(OR({ok})))",
                f'"{key(p + "grade")}must be blank or one of {", ".join(GRADES)}"',
            )
        )
    for c, allowed in rules.choices:
        # exact and case-sensitive, as the engine: SUBSTITUTE is case-sensitive (the workbook keeps to a small set of
        # functions, without EXACT)
        ok = ",".join(f'AND(LEN(TRIM({at[c]}))=LEN("{v}"),SUBSTITUTE(TRIM({at[c]}),"{v}","")="")' for v in allowed)
        out.append((f"NOT(OR({ok}))", f'"{key(c)}must be one of {", ".join(allowed)}"'))
    for c in rules.logical:  # a logical TRUE/FALSE (LibreOffice's is a number: compared, not joined) or the text
        v = f'LOWER(TRIM({at[c]}&""))'
        ok = f'OR({at[c]}=TRUE,{at[c]}=FALSE,{v}="true",{v}="false")'
        out.append((f"AND(NOT({blank(c)}),NOT({ok}))", f'"{key(c)}must be TRUE or FALSE"'))
    label = f'"{title} row {r}: '
    if "serving_efficiency" in at:
        out.append((f"{at['serving_efficiency']}>1", f'"{key("serving_efficiency")}must be at most 1"'))
    if "active_params_billion" in at:
        p, act, e, k, ep = (
            at[c]
            for c in (
                "params_billion",
                "active_params_billion",
                "experts",
                "experts_per_token",
                "expert_params_billion",
            )
        )
        out.append((f"{act}>{p}", f'{label}active parameters exceed total parameters"'))
        out.append((f"{ep}>={p}", f'{label}expert_params_billion must be below params_billion"'))
        out.append(
            (
                f"OR(({e}>0)<>({k}>0),{k}>{e})",
                f'{label}a mixture of experts needs experts >= experts_per_token > 0 (both 0 for a dense model)"',
            )
        )
    if rules.gpu:
        g = at["gpu"]
        out.append(
            (
                f"ISNA(MATCH({escape_lookup(f'TRIM({g})')},list_gpus,0))",
                f'"{key("gpu")}GPU "&TRIM({g})&" is not on the Hardware sheet"',
            )
        )
    if "per_second_usd" in at:
        out.append(("AND(" + ",".join(blank(c) for c in rules.optional) + ")", f'{label}has no price"'))
    sourced = {
        "support_source": (  # a server
            ("price_usd", "price_source"),
            ("typical_kw", "power_source"),
            ("max_kw", "power_source"),
            ("support_per_year_usd", "support_source"),
        ),
        "cloud_price_source": GPU_PRICE_SOURCES,  # a GPU
    }
    for marker, pairs in sourced.items():
        if marker not in at:
            continue
        for value, source in pairs:
            out.append(
                (
                    f"AND(ISNUMBER({at[value]}),{blank(source)})",
                    f'"{key(source)}is empty for a figure it should source"',
                )
            )
    if "support_source" in at:
        out.append(
            (
                f"AND(ISNUMBER({at['typical_kw']}),ISNUMBER({at['max_kw']}),{at['typical_kw']}>{at['max_kw']})",
                f'"{key("typical_kw")}exceeds max_kw"',
            )
        )
    return out


def user_checks(
    book: Book,
    title: str,
    columns: tuple[str, ...],
    prefix: str,
    block: UserBlock,
    list_name: str,
    check_col: int,
    fmt: dict[str, str],
) -> str:
    """Write the user block of a catalog sheet (marker, tags, input rows, check column); returns the check
    column's letter."""
    ws = book.sheet(title)
    rules = RULES[prefix]
    last_col = get_column_letter(len(columns))
    chk = get_column_letter(check_col)
    put_text(
        ws,
        f"B{block.marker}",
        f"your rows: add {rules.what} here (the yellow rows below; the check column "
        f"{chk} says what a row lacks; ids must be new; as_of is a date typed as text YYYY-MM-DD)",
        "section",
    )
    for j, c in enumerate(columns[1:], start=2):
        put_text(ws, f"{get_column_letter(j)}{block.marker + 1}", _tag(rules, c), "note")
    header_row(ws, 1, ["check (your rows)"], check_col)
    text_cols = {c for c in columns if c in rules.ids or c in rules.text or c == "as_of" or c in dict(rules.choices)}
    sizes: list[int] = []  # the number of rules in each part of a row's check
    for r in range(block.first, block.last + 1):
        for j, c in enumerate(columns):
            put(ws, f"{get_column_letter(j + 1)}{r}", None, "input", "@" if c in text_cols else fmt.get(c))
        row_rules = _row_rules(rules, columns, title, r, block.marker, list_name)
        sizes = sizes or _part_sizes(row_rules)  # the same on every row: the rules differ only in the row numbers
        before = None  # the cell of the previous part
        for j, part in enumerate(_split(row_rules, sizes), start=1):
            ref = f"{chk}{r}" if j == len(sizes) else f"{get_column_letter(check_col + j)}{r}"
            found = _chain(part) if before is None else f'IF({before}<>"",{before},{_chain(part)})'
            put(ws, ref, f'=IF(SUMPRODUCT(LEN(TRIM(A{r}:{last_col}{r})))=0,"",{found})', "check")
            before = ref
    rng = f"{chk}{block.first}:{chk}{block.last}"
    put(ws, f"{chk}{block.marker}", f'=IF(ISNA(MATCH("?*",{rng},0)),"",INDEX({rng},MATCH("?*",{rng},0)))', "check")
    book.names_many(
        [
            (f"{prefix}_user_rows", title, f"A{block.first}:{last_col}{block.last}"),
            (f"{prefix}_user_check", title, rng),
            (f"{prefix}_user_first", title, f"{chk}{block.marker}"),
        ]
    )
    ws.column_dimensions[chk].width = 48
    for j in range(1, len(sizes)):
        header_row(ws, 1, [f"check, part {j} of {len(sizes)} (column {chk} shows the result)"], check_col + j)
        ws.column_dimensions[get_column_letter(check_col + j)].hidden = True
    return chk


def _part_sizes(rules: list) -> list[int]:
    """How many of a row's (condition, message) pairs, in order, go into each part of its check, so that no part's
    cell nests deeper than :data:`PART_NESTING` (a part's chain of IFs inside the two IFs of its cell)."""
    sizes = [0]
    depth = 0  # of the current part's chain
    for cond, message in rules:
        inner = max(formula_shape(cond).nesting, formula_shape(message).nesting)
        if sizes[-1] and 2 + max(depth, sizes[-1] + 1 + inner) > PART_NESTING:
            sizes.append(0)
            depth = 0
        sizes[-1] += 1
        depth = max(depth, sizes[-1] + inner)
    return sizes


def _split(rules: list, sizes: list[int]) -> list[list]:
    """``rules`` cut into consecutive parts of ``sizes`` rules."""
    return [rules[end - size : end] for size, end in zip(sizes, accumulate(sizes))]


def _chain(rules: list) -> str:
    """The first message whose condition holds, else "": ``IF(c1,m1,IF(c2,m2,...""))``."""
    nested = '""'
    for cond, message in reversed(rules):
        nested = f"IF({cond},{message},{nested})"
    return nested
