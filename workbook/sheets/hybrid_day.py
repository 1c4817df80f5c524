"""The Hybrid sheet's day: the load profile read from ``load_profile`` (blank = the default profile, an id of the
Load Profiles sheet, or 24 numbers typed as text, split as ``costengine.profiles`` splits them), and the 24 hours:
each hour's weight, share, requests, and the chosen hybrid's self-hosted and API parts, with their chart.

Defines ``load_profile_check`` (the Inputs status reads it), ``load_profile_used``, ``hy_weights`` and ``hy_shares``
(the Projection sheet's hybrid reads the shares).
"""

from __future__ import annotations

from openpyxl.chart import BarChart, Reference, Series
from openpyxl.chart.shapes import GraphicalProperties
from openpyxl.drawing.line import LineProperties
from openpyxl.styles import Alignment

from costengine.profiles import DEFAULT_PROFILE, HOURS

from ..kit import Book, Rows, cell_span_anchor, escape_lookup, header_row, point_text, put, value_of_point_text

__all__ = ["MAX_PROFILE_CHARS", "profile_rows", "day_rows", "split_chart"]

#: Longest ``load_profile`` text the 24-part split handles (24 x this stays within a cell's 32,767 characters).
MAX_PROFILE_CHARS = 32767 // HOURS
_NUMBER_CHARS = "0123456789.e+-"


def _part_is_number(part: str) -> str:
    """Text of a float: digits, '.', 'e', and '+'/'-' only first or after the 'e' (as Python's float reads it)."""
    stripped = f"LOWER({part})"
    for ch in _NUMBER_CHARS:
        stripped = f'SUBSTITUTE({stripped},"{ch}","")'
    rest = f'SUBSTITUTE(SUBSTITUTE(MID(LOWER({part}),2,LEN({part})),"e-","e"),"e+","e")'
    return (
        f'AND(LEN({part})>0,LEN({stripped})=0,LEN({rest})=LEN(SUBSTITUTE(SUBSTITUTE({rest},"+",""),"-","")),'
        f"ISNUMBER({value_of_point_text(part)}))"
    )


def profile_rows(a: Rows) -> int:
    """The rows that read ``load_profile``: a profile id or 24 typed values, and its check; returns the row of
    "profile used" (its value is written by :func:`day_rows`, from the hours)."""
    a.section("The day's load profile (load_profile)")
    # a blank cell shows the default id, not the 0 a reference to an empty cell gives
    a.add(
        "typed",
        "load_profile (blank: the default)",
        "24 numbers or id",
        f'=IF(LEN(load_profile)=0,"{DEFAULT_PROFILE}",load_profile)',
        kind="link",
    )
    text = "TRIM(load_profile)"
    # the engine splits on commas, semicolons and white space; the control characters written as CHAR() (no raw
    # tab or line feed in a formula: workbook.kit.limits)
    for sep in ('","', '";"', "CHAR(9)", "CHAR(10)", "CHAR(13)"):
        text = f'SUBSTITUTE({text},{sep}," ")'
    a.add(
        "text", "typed values, one space between", "text", f"=TRIM({text})", note="commas, semicolons, spaces separate"
    )
    a.add(
        "count", "values typed", "count", '=IF(LEN([text])=0,0,LEN([text])-LEN(SUBSTITUTE([text]," ",""))+1)', fmt="int"
    )
    a.add(
        "is_id",
        "a profile id",
        "yes/no",
        f"=OR(LEN(TRIM(load_profile))=0,AND([count]=1,NOT(ISNUMBER({value_of_point_text('[text]')}))))",
        note=f"blank = {DEFAULT_PROFILE}",
    )
    a.add(
        "key",
        "profile id",
        "id",
        f'=IF([is_id],IF(LEN(TRIM(load_profile))=0,"{DEFAULT_PROFILE}",TRIM(load_profile)),"n/a")',
    )
    match = f"MATCH({escape_lookup('[key]')},list_load_profiles,0)"
    a.add(
        "row",
        "row in the Load Profiles sheet",
        "row",
        f'=IF([is_id],IF(ISNA({match}),"unknown",{match}),"n/a")',
        fmt="int",
        note="ids match whatever the case",
    )
    a.add("sum", "sum of the hourly weights", "ratio", "=SUMPRODUCT(hy_weights)", fmt="ratio4")
    hours = "c_hours_per_day"
    a.add(
        "check",
        "check",
        "",
        f'=IF([is_id],IF(NOT(ISNUMBER([row])),"load_profile: unknown profile "&[key]&": pick an id of the '
        f'Load Profiles sheet or type 24 numbers",IF(COUNT(hy_weights)<{hours},"load_profile: profile "&[key]&'
        f'" needs 24 numbers on the Load Profiles sheet",IF(MIN(hy_weights)<0,"load_profile: profile "&[key]&'
        f'" has a negative hour",IF([sum]<=0,"load_profile: profile "&[key]&" has no hour with load","")))),'
        f'IF(LEN([text])>c_profile_max_chars,"load_profile: at most "&c_profile_max_chars&" characters",'
        f'IF([count]<>{hours},"load_profile: must have 24 hourly values (got "&[count]&")",'
        f'IF(COUNT(hy_weights)<{hours},"load_profile: hourly values must be numbers",'
        f'IF(MIN(hy_weights)<0,"load_profile: hourly values must be >= 0",'
        f'IF([sum]<=0,"load_profile: needs at least one hour with load",""))))))',
        kind="check",
        names="load_profile_check",
    )
    check = a.at["check"]  # the message (up to ~110 characters) wraps over C:F, left-aligned, on two lines
    a.ws.merge_cells(f"C{check}:F{check}")
    a.ws[f"C{check}"].alignment = Alignment(horizontal="left", vertical="top", wrap_text=True)
    a.ws.row_dimensions[check].height = 30
    a.ws[f"A{check}"].alignment = Alignment(vertical="top")
    return a.add("used", "profile used", "id or values", None, kind="link", names="load_profile_used")


def day_rows(book: Book, a: Rows, ref: dict, used_row: int) -> tuple[int, int]:
    """The chosen hybrid's capacity per hour and the table of the 24 hours; returns its first and last row."""
    ws = a.ws
    a.section("The day: requests per hour of the chosen hybrid")
    a.add(
        "cap_hour",
        "self-hosted capacity per hour",
        "requests/month",
        f'=IF(ISNUMBER(hybrid_replicas),hybrid_replicas*IF(hybrid_option="cloud",{ref["rep_cap"]["cloud"]},'
        f'{ref["rep_cap"]["onprem"]})/c_hours_per_day,"n/a")',
        fmt="volume",
        note="replicas x replica capacity / 24",
    )
    a.add(
        "all_self",
        "every hour self-hosted",
        "yes/no",
        f"=IF(ISNUMBER(hybrid_replicas),AND(hybrid_self_hosted_share=1,hybrid_monthly_cost=IF(hybrid_option="
        f'"cloud",{ref["pure"]["cloud"]},{ref["pure"]["onprem"]})),FALSE)',
        note="all self-hosted: none overflows",
    )
    hour_top = a.row + 1
    header_row(
        ws,
        hour_top,
        ["hour (UTC)", "weight", "share", "requests in the hour", "self-hosted", "API", "typed value", "as a number"],
        height=30,
    )
    h1, h24 = hour_top + 1, hour_top + HOURS
    book.names_many([("hy_weights", ws.title, f"B{h1}:B{h24}"), ("hy_shares", ws.title, f"C{h1}:C{h24}")])
    text, is_id, row_ref = (a.ref(k, absolute_ref=True) for k in ("text", "is_id", "row"))
    for h in range(HOURS):
        r = h1 + h
        put(ws, f"A{r}", h, "const", "int")
        part = (
            f'IF(OR({is_id},LEN({text})>c_profile_max_chars),"",TRIM(MID(SUBSTITUTE({text}," ",REPT(" ",'
            f"LEN({text}))),A{r}*LEN({text})+1,LEN({text}))))"
        )
        put(ws, f"G{r}", f"={part}", "calc")
        read = f'=IF({_part_is_number(f"G{r}")},{value_of_point_text(f"G{r}")},"not a number")'
        put(ws, f"H{r}", read, "calc", "ratio4")
        put(
            ws,
            f"B{r}",
            f'=IF({is_id},IF(ISNUMBER({row_ref}),INDEX(lp_hours,{row_ref},A{r}+1),"n/a"),H{r})',
            "calc",
            "ratio4",
        )
        put(
            ws, f"C{r}", f'=IF(LEN(load_profile_check)=0,B{r}/{a.ref("sum", absolute_ref=True)},"n/a")', "calc", "0.00%"
        )
        put(
            ws,
            f"D{r}",
            f'=IF(AND(ISNUMBER(C{r}),ISNUMBER(requests_per_month_used)),requests_per_month_used*C{r},"n/a")',
            "calc",
            "volume",
        )
        cap = a.ref("cap_hour", absolute_ref=True)
        put(
            ws,
            f"E{r}",
            f"=IF(AND(ISNUMBER(D{r}),ISNUMBER({cap})),IF({a.ref('all_self', absolute_ref=True)},D{r},"
            f'MIN(D{r},{cap})),"n/a")',
            "calc",
            "volume",
        )
        put(ws, f"F{r}", f'=IF(ISNUMBER(E{r}),D{r}-E{r},"n/a")', "calc", "volume")
    values = '&","&'.join(point_text(f"B{h1 + h}") for h in range(HOURS))  # "0.5,1,..." in every locale
    put(
        ws,
        f"C{used_row}",
        f'=IF(LEN({a.ref("check")})>0,"invalid",IF({is_id},INDEX(list_load_profiles,{row_ref}),{values}))',
        "link",
    )
    return h1, h24


def split_chart(ws, top: int, end: int, h1: int, h24: int) -> None:
    """The day's requests per hour of the chosen hybrid, self-hosted and API stacked (rows ``top`` to ``end``)."""
    split = BarChart()
    split.type = "col"
    split.grouping = "stacked"
    split.overlap = 100
    split.gapWidth = 40
    split.title = "The day's split, chosen hybrid"
    split.style = 2
    split.x_axis.title = "hour of the day (UTC)"
    split.y_axis.title = "requests/month in the hour"
    split.y_axis.number_format = "#,##0"
    split.x_axis.delete = split.y_axis.delete = False
    split.legend.position = "b"
    cats = Reference(ws, min_col=1, min_row=h1, max_row=h24)
    for col, colour in ((5, "548235"), (6, "2E75B6")):
        s = Series(Reference(ws, min_col=col, min_row=h1 - 1, max_row=h24), title_from_data=True)
        s.graphicalProperties = GraphicalProperties(solidFill=colour, ln=LineProperties(solidFill=colour))
        split.series.append(s)
    split.set_categories(cats)
    split.anchor = cell_span_anchor(f"A{top}", f"F{end}")
    ws.add_chart(split)
