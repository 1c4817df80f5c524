"""The Sizing sheet: the engine's serving model (``costengine.serving``: replica, step, layouts) in formulas.

Column C: cloud, D: on-premises (model rows: C). The summary holds the answers (the engine's layout per option), the
work and model rows (:mod:`workbook.sheets.sizing_model`), the GPU and layout-rule rows
(:mod:`workbook.sheets.sizing_gpus`) and the chosen layout (:mod:`workbook.sheets.sizing_chosen`), which picks from
the candidate and batch tables right of it (:mod:`workbook.sheets.sizing_layouts`). Reads ``cloud_node_gpus``,
``onprem_node_gpus`` (Comparison); defines ``ANSWERS``, ``precision_used``, ``model_params_billion_used``, the catalog
rows other sheets use, ``sizing_checks`` (the engine's errors on inputs it cannot use), ``sizing_model_check`` (the
prompt beyond the model's context window) and ``sizing_not_feasible`` (per option, why no layout serves it: the
engine's "not feasible" reason; "" when one does). Dependent cells show "n/a", never errors.
"""

from __future__ import annotations

from openpyxl.utils import get_column_letter

from ..kit import Book, Rows, header_row, heading, setup_sheet, wrap_rows
from .sizing_chosen import chosen_rows
from .sizing_gpus import gpu_rows
from .sizing_layouts import BATCH_COLS, CAND, COL0, OPTS, SLOTS, batch_table, candidate_table
from .sizing_model import model_rows

__all__ = ["SHEET", "ANSWERS", "build"]

SHEET = "Sizing"
#: Why an option cannot be served: the context check without its key ("prompt_tokens: "), else the layout's reason.
_NOT_FEASIBLE = '=IF({model_check}<>"",RIGHT({model_check},LEN({model_check})-LEN("prompt_tokens: ")),{not_feasible})'
#: The answers at the top: key, label, unit, format, names (cloud, on-prem), formula template on the summary rows.
ANSWERS = (
    ("layout", "layout", "", None, None, '=IF(ISNUMBER({tp}),"TP "&{tp}&" x PP "&{pp},"n/a")'),
    (
        "gpus",
        "GPUs per replica",
        "count",
        "int",
        "{o}_gpus_per_replica_used",
        '=IF({model_check}<>"","n/a",IF({derive},IF({status}="ok",{n_c},"n/a"),IF(ISNUMBER({typed_n}),{typed_n},'
        'IF({mem_ok},IF(ISNUMBER({min_tp}),{min_tp},{nodes}*{node}),"n/a"))))',
    ),
    ("tp", "tensor parallel (TP)", "count", "int", "{o}_layout_tp", '=IF({ok},{tp_c},"n/a")'),
    ("pp", "pipeline stages (PP)", "count", "int", "{o}_layout_pp", '=IF({ok},{pp_c},"n/a")'),
    ("batch", "batch at the peak traffic", "sequences", "count", "{o}_batch", '=IF({ok},{t_batch},"n/a")'),
    ("max_b", "largest batch meeting the targets", "sequences", "count", "{o}_max_batch", '=IF({ok},{batch_c},"n/a")'),
    ("mem_b", "batch the memory holds", "sequences", "count", "{o}_mem_batch", '=IF({ok},{mem_b_c},"n/a")'),
    ("ttft", "time to first token (TTFT)", "s", "0.000", "{o}_ttft_s", '=IF({ok},{t_ttft},"n/a")'),
    ("tpot", "time per output token (TPOT)", "ms", "#,##0.0", "{o}_tpot_ms", '=IF({ok},{t_tpot}*c_ms_per_s,"n/a")'),
    (
        "s",
        "seconds per request",
        "s",
        "seconds",
        "{o}_seconds_per_request",
        '=IF({model_check}<>"","n/a",IF({derive},IF({status}="ok",1/{rps_c},"n/a"),IF(ISNUMBER('
        'seconds_per_request),seconds_per_request,"n/a")))',
    ),
    (
        "n_min",
        "GPUs the offer must hold",
        "count",
        "int",
        "cloud_n_min",
        "=IF(LEN(TRIM(cloud_gpus_per_replica))>0,cloud_gpus_per_replica,IF(ISNUMBER({min_tp_any}),{min_tp_any},"
        'IF({min_tp_any}="none",c_max_tp,"n/a")))',
    ),
    (
        "lat1",
        "a request's latency alone (batch 1)",
        "s",
        "0.000",
        "{o}_latency_alone",
        '=IF({model_check}<>"","n/a",IF({derive},IF({status}="ok",{ttft1_c}+{o}*{tpot1_c},"n/a"),IF(ISNUMBER('
        'seconds_per_request),seconds_per_request,"n/a")))',
    ),
    ("model_check", "check (model)", "", None, None, "={model_check}"),
    ("check", "check (layout)", "", None, None, "={check}"),
    # the prompt beyond the context window, or no layout: the option is not feasible (no key: valid inputs)
    ("not_feasible", "not feasible", "", None, None, _NOT_FEASIBLE),
)


def _answer_refs(x: Rows, col: str, row: int) -> dict[str, str]:
    ref = {k: (f"$C${r}" if x.at[k] < x.at["gpu_id"] else f"{col}{r}") for k, r in x.at.items()}
    ref["ok"] = f'AND({ref["derive"]},{ref["status"]}="ok",{ref["model_check"]}="")'
    ref["tp"], ref["pp"] = f"{col}{row + 2}", f"{col}{row + 3}"  # the answer rows below "layout"
    return ref


def _answers(book: Book, x: Rows) -> None:
    y = Rows(book, x.ws, 5, value_cols=("C", "D"), note_col="E")
    y.row = 4
    y.section("Result (the engine's layout; a typed seconds_per_request leaves only the GPU count)", gap=1)
    for key, label, unit, fmt, names, tmpl in ANSWERS:
        values = [
            None if i and key in ("n_min", "model_check") else tmpl.format(**_answer_refs(x, col, y.row))
            for i, (_, col, _, _) in enumerate(OPTS)
        ]
        nm = (
            None
            if names is None
            else [names.format(o=o[0]) if (i == 0 or "{o}" in names) else None for i, o in enumerate(OPTS)]
        )
        kind = "check" if "check" in key or key == "not_feasible" else "answer"
        y.add(key, label, unit, values, kind=kind, fmt=fmt, names=nm)
    r = y.at["model_check"]
    book.names_many(
        [
            ("sizing_checks", SHEET, f"C{y.at['check']}:D{y.at['check']}"),
            ("sizing_model_check", SHEET, f"C{r}"),
            ("sizing_not_feasible", SHEET, f"C{y.at['not_feasible']}:D{y.at['not_feasible']}"),
        ]
    )


def build(book: Book) -> None:
    ws = book.sheet(SHEET)
    heading(
        ws,
        "Sizing: memory, GPUs per replica, layout, batch, TTFT and TPOT",
        "The engine's serving model (costengine.serving) in formulas: an estimate; a measured "
        "seconds_per_request on the Inputs sheet overrides it.",
    )
    header_row(ws, 4, ["quantity", "unit", "cloud", "on-premises", "note"])
    x = Rows(book, ws, 4 + len(ANSWERS) + 2, value_cols=("C", "D"), note_col="E")
    model_rows(x)
    gpu_rows(x)
    chosen_rows(x)
    last = x.row - 1
    candidate_table(x)
    batch_table(x)
    _answers(book, x)
    widths = {
        "A": 36,
        "B": 11,
        "C": 16,
        "D": 16,
        "E": 60,
        "F": 3,
        **{get_column_letter(COL0 + i): 12 for i in range(len(CAND) + BATCH_COLS * len(SLOTS) * 2)},
    }
    wrap_rows(ws, range(5, last + 1), ["E"], widths, chars_per_width=1.15)  # the notes end at the print area's edge
    setup_sheet(
        ws,
        widths=widths,
        freeze="A5",
        print_area=f"A1:E{last}",
        landscape=False,
        title_rows="4:4",
    )
