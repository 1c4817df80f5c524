"""The README (cover) sheet.

The cover says what the workbook is, how to use it, what the colours mean, where the catalogs come from
and how old they are, and shows the main answers.
"""

from __future__ import annotations

from openpyxl.styles import Alignment, Protection

from costengine import load_catalog
from costengine.catalogs import token_price_table, token_prices_version
from costengine.token_prices import token_prices_as_of

from ..kit import Book, heading, put, put_text, setup_sheet, wrap_rows
from ..xlwings_setup import CONF_NAME, UDF_MODULE

__all__ = ["SHEET", "build", "catalog_dates"]

SHEET = "README"

_SHEETS = (
    ("Inputs", "the scenario: one row per key (key | value | unit | note), with defaults, the values used and checks"),
    (
        "Comparison",
        "monthly cost, cost per request and per million tokens, GPUs, replicas and utilisation per "
        "option; the workings of each option's costs",
    ),
    ("Break-even", "the volumes at which two options cost the same, exact on the replica steps"),
    ("Curve", "monthly cost of each option at 50 volumes, and its chart"),
    (
        "Projection",
        "each option's cost month by month as volume grows (growth_rate_monthly, horizon_months), "
        "cumulative cost and its chart, the payback month of self-hosting against the API and each "
        "option's net present value at discount_rate_annual",
    ),
    (
        "Sensitivity",
        "which inputs move the answer: each input at its low and high value, with a tornado chart; "
        "values computed by Python when the workbook was written (llmcost refresh recomputes them)",
    ),
    ("Sizing", "weights, serving memory, GPUs per replica and the roofline throughput estimate"),
    (
        "Hybrid",
        "self-hosted replicas for the base load and the API for the peaks over the day's load profile: "
        "the cost for every N, the best N per option and the cheaper one, with charts",
    ),
    (
        "Fine-tuning",
        "LoRA fine-tuning memory and cost against an API's fine-tuning price, starting at the worked example of "
        "a source article (docs/model.md, Worked examples)",
    ),
    ("Token Pricing", "API token prices from genai-prices, and the api_model list the Inputs dropdown uses"),
    (
        "Hardware",
        "the GPU catalog: memory, bandwidth, TFLOP/s, TDP, prices, each with source and date; your own "
        "GPUs in the yellow rows below",
    ),
    (
        "Models",
        "the open-model catalog: parameters and attention shape, each with source and date; your own "
        "models in the yellow rows below",
    ),
    ("Load Profiles", "the relative load of each hour of a typical day (load_profile ids), with sources and dates"),
    ("Constants", "the fixed numbers the formulas use, the precision table and the input rules"),
    (CONF_NAME, f"settings for the optional xlwings add-in (UDF Modules = {UDF_MODULE})"),
)

#: The first of the reference sheets (catalogs, constants, xlwings.conf): hidden, not printed with the workbook.
_FIRST_REFERENCE = "Token Pricing"
_HIDDEN = (
    "The sheets below are hidden, so that printing the workbook (or exporting it to PDF) gives the decision sheets "
    "above and not the catalogs. Show one with right-click on a sheet tab > Unhide (Excel) or Sheet > Show Sheet "
    "(LibreOffice) to read it, add your own rows or print it on its own."
)

_STEPS = (
    "Type your numbers into the yellow cells of the Inputs sheet (column B). Leave a cell blank to use the default "
    "(column E) or, for the keys marked 'derived', to fill it from the catalogs and the sizing model.",
    "Pick GPUs, open models, the API model, the precision and the billing from the dropdowns.",
    "A GPU, open model, cloud offer or server the catalogs lack: type it into the yellow rows at the foot of the "
    "Hardware, Models, Cloud Offers or Servers sheet (hidden reference sheets: unhide them first, see Sheets "
    "below; give the row its source and date; the check column beside the rows "
    "says what a row lacks). The dropdowns and every lookup pick it up; llmcost evaluate reads it and llmcost "
    "refresh keeps it.",
    "Read the answer on the Comparison sheet (cheapest option, cost per option) and on the Break-even sheet.",
    "Check the Inputs sheet's column G and the status box: while an input is invalid the answers say "
    "'check Inputs' rather than show a number. An option your valid inputs cannot serve (no layout meets the "
    "latency targets, the model does not fit, no offer for the GPU) says 'not feasible: <reason>' in its answers, "
    "and the others are computed.",
    "See how the answer moves with volume on the Curve sheet (change 'from' and 'to' there), over time as volume "
    "grows on the Projection sheet, and with each input on the Sensitivity sheet (after changing inputs, run "
    "llmcost refresh WORKBOOK.xlsx to update it).",
)

#: The decision-analysis names (Projection and Sensitivity sheets), for the user's own formulas.
_NAMES = (
    (
        "payback_month_onprem",
        "first month in which on-premises' cumulative cost, capex paid in cash when servers "
        'are bought, is at most the API\'s; "none" within horizon_months',
    ),
    (
        "payback_month_onprem_amortised",
        "the same with on-premises in the amortised view (capex spread over onprem_amortization_months)",
    ),
    (
        "payback_month_cloud",
        "first month in which cloud's cumulative cost is at most the API's; \"none\" within the horizon",
    ),
    (
        "npv_api, npv_cloud",
        "net present value of each option's costs over the horizon at discount_rate_annual "
        "(month t discounted by (1 + i)^t, i = (1 + rate)^(1/12) - 1)",
    ),
    ("npv_onprem, npv_onprem_amortised", "the same for on-premises, cash view (capex when spent) and amortised view"),
    ("total_cost_api, total_cost_cloud", "each option's costs over the horizon, added up (not discounted)"),
    ("total_cost_onprem", "the same for on-premises, cash view"),
    ("total_cost_onprem_amortised", "the same for on-premises, amortised view"),
    (
        "payback_month_hybrid_cloud, payback_month_hybrid_onprem, payback_month_hybrid_onprem_amortised",
        "the same for the hybrids (self-hosted base load, API overflow; the on-premises hybrid in the cash and the "
        "amortised view)",
    ),
    (
        "npv_hybrid_cloud, npv_hybrid_onprem, npv_hybrid_onprem_amortised, total_cost_hybrid_cloud, "
        "total_cost_hybrid_onprem, total_cost_hybrid_onprem_amortised",
        "the net present values and totals of the "
        "hybrids (the cloud hybrid's replicas chosen again every month, the on-premises hybrid's servers kept)",
    ),
    (
        "sensitivity_inputs_changed",
        "inputs changed since the Sensitivity sheet was computed (0 = up to date; growth, "
        "horizon and discount rate do not count: the sheet does not use them)",
    ),
)

_LEGEND = (
    ("input", "an input: type here (unlocked)"),
    ("calc", "a calculation (locked)"),
    ("link", "a link to another sheet or a catalog value"),
    ("const", "a fixed number or label"),
    ("data", "catalog data"),
    ("answer", "a key answer"),
    ("check", "a check message (empty when fine)"),
)


def catalog_dates() -> dict[str, str]:
    """The date ranges of the shipped catalogs and the genai-prices version (for the cover)."""
    cat = load_catalog()
    hw = sorted(g.as_of for g in cat.gpus.values())
    md = sorted(m.as_of for m in cat.models.values())
    return {
        "hardware": f"{hw[0]} to {hw[-1]}",
        "models": f"{md[0]} to {md[-1]}",
        "prices": token_prices_version(),
        "hardware_rows": str(len(hw)),
        "model_rows": str(len(md)),
        "price_rows": str(len(token_price_table())),
        "prices_as_of": token_prices_as_of() or "not recorded by the package",
    }


_TEXT_WIDTH = 108  # columns B:C, merged for the running text


def _text(ws, r: int, text: str) -> None:
    """Running text in B:C (merged, wrapped, with a row height that fits it)."""
    put_text(ws, f"B{r}", text, "note")
    ws.merge_cells(f"B{r}:C{r}")
    wrap_rows(ws, [r], ["B"], {"B": _TEXT_WIDTH}, chars_per_width=1.15)
    ws[f"A{r}"].alignment = Alignment(vertical="top")


def build(book: Book) -> None:
    ws = book.sheet(SHEET)
    heading(
        ws,
        "LLM hosting cost model: API, cloud GPUs or on-premises servers?",
        "Should you pay a closed model's API per token, rent GPUs in a cloud and serve an open model, "
        "or buy servers? This workbook answers it for your scenario with native Excel formulas.",
    )
    r = 4
    put_text(ws, f"A{r}", "At a glance", "section")
    glance = (
        ("cheapest option", "=cheapest_option", None),
        ("recommendation (hybrids included)", "=recommendation", None),
        ("API, monthly cost", "=api_monthly_cost", "money"),
        ("cloud, monthly cost", "=cloud_monthly_cost", "money"),
        ("on-premises, monthly cost", "=onprem_monthly_cost", "money"),
        ("break-even api / cloud [requests/month]", "=breakeven_api_cloud", "volume"),
        ("break-even api / onprem [requests/month]", "=breakeven_api_onprem", "volume"),
        ("break-even cloud / onprem [requests/month]", "=breakeven_cloud_onprem", "volume"),
        ("on-premises pays back against the API in month", "=payback_month_onprem", "int"),
        ("cloud pays back against the API in month", "=payback_month_cloud", "int"),
    )
    put(
        ws,
        f"A{r + 1}",
        '="at "&TEXT(requests_per_month_used,"#,##0")&" requests per month, money in "&currency_used',
        "note",
    )
    for i, (label, formula, fmt) in enumerate(glance):
        put_text(ws, f"A{r + 2 + i}", label, "label")
        put(ws, f"B{r + 2 + i}", formula, "answer_r", fmt)
    r += 2 + len(glance) + 1

    put_text(ws, f"A{r}", "How to use", "section")
    for i, step in enumerate(_STEPS, start=1):
        put_text(ws, f"A{r + i}", f"{i}.", "label")
        _text(ws, r + i, step)
    r += len(_STEPS) + 2

    put_text(ws, f"A{r}", "Colours", "section")
    for i, (kind, meaning) in enumerate(_LEGEND, start=1):
        cell = put_text(ws, f"A{r + i}", "1,234.56" if kind != "check" else "must be >= 0", kind)
        cell.protection = Protection(locked=True)  # a sample, not an input
        _text(ws, r + i, meaning)
    r += len(_LEGEND) + 2

    put_text(ws, f"A{r}", "Sheets", "section")
    r += 1
    for name, what in _SHEETS:
        if name == _FIRST_REFERENCE:
            put_text(ws, f"A{r}", "reference sheets (hidden)", "bold")
            _text(ws, r, _HIDDEN)
            r += 1
        put_text(ws, f"A{r}", name, "bold")
        _text(ws, r, what)
        r += 1
    r += 1

    dates = catalog_dates()
    put_text(ws, f"A{r}", "Decision-analysis names (use them in your own formulas)", "section")
    for i, (name, what) in enumerate(_NAMES, start=1):
        put_text(ws, f"A{r + i}", name, "bold")
        _text(ws, r + i, what)
    r += len(_NAMES) + 2

    put_text(ws, f"A{r}", "Catalogs (dates and sources)", "section")
    rows = (
        (
            "GPUs",
            f"{dates['hardware_rows']} GPUs; specifications, prices and cloud prices as of {dates['hardware']}"
            " (templates/hardware.csv: each row names its sources)",
        ),
        (
            "Open models",
            f"{dates['model_rows']} models; architectures from their config.json as of "
            f"{dates['models']} (templates/models.csv)",
        ),
        (
            "Token prices",
            f"{dates['price_rows']} priced models from genai-prices {dates['prices']}, as of "
            f"{dates['prices_as_of']} (the pydantic team's price data, bundled with the package; "
            "USD per million tokens; the standard time-of-day price where it varies by the hour)",
        ),
        (
            "Currency",
            "catalog prices are USD and are converted with usd_to_currency; numbers you type are taken as given",
        ),
    )
    for i, (what, text) in enumerate(rows, start=1):
        put_text(ws, f"A{r + i}", what, "bold")
        _text(ws, r + i, text)
    r += len(rows) + 2

    put_text(ws, f"A{r}", "Good to know", "section")
    notes = (
        "The throughput behind a blank seconds_per_request is a roofline estimate; a measured figure always wins.",
        "Token prices follow the prompt size where a model has tiers; the api_model list holds the ids the cost "
        "engine resolves by itself: with another id, type the three api prices.",
        "Break-evens are exact; when both cloud and on-premises step at different volumes the Break-even sheet "
        "replays the engine's walk in a table, and says so when the crossing lies beyond it.",
        "The same numbers come from Python (costengine), the LLM_ worksheet functions (xlwings add-in) and the "
        "llmcost command line: llmcost evaluate WORKBOOK re-reads the Inputs sheet and prints the answers.",
    )
    for i, text in enumerate(notes, start=1):
        put_text(ws, f"A{r + i}", "-", "label")
        _text(ws, r + i, text)
    r += len(notes)
    setup_sheet(ws, widths={"A": 40, "B": 18, "C": 90}, freeze=None, print_area=f"A1:C{r}", landscape=False)
