"""The Comparison table's parts of each monthly cost (``costengine.plan.cost_split``: staff, overhead, capital,
running, usage) and what its serving figures rest on (``costengine.engine.serving_basis``)."""

from __future__ import annotations

from costengine.plan import OPTIONS
from costengine.serving.parameters import ESTIMATED, GIVEN

from ..kit import Rows, wrap_ids

__all__ = ["split_rows", "basis_row"]


def split_rows(m: Rows) -> None:
    """The rows of the cost's parts under the monthly cost, named ``<option>_cost_<part>``."""
    # the parts of the monthly cost (costengine.plan.cost_split): what a finance reader asks first
    for key, label, values, note in (
        ("staff_c", "of which staff", [0, "=cloud_staff", "=onprem_fixed"], "people: FTE x loaded cost, or typed"),
        (
            "overhead_c",
            "of which overhead",
            ["=api_fixed", "=cloud_monthly_overhead_used", 0],
            "the API's monthly fee; the cloud's storage, egress, admin",
        ),
        (
            "capital_c",
            "of which capital",
            [0, 0, "=onprem_capital_per_server*onprem_servers_per_unit*[units]"],
            "servers' capital per month (amortised)",
        ),
        (
            "running_c",
            "of which energy, colocation, support",
            [0, 0, "=[step]*[units]-onprem_capital_per_server*onprem_servers_per_unit*[units]"],
            "the servers' running cost",
        ),
    ):
        values = [f"=IF(ISNUMBER([cost]),{str(v).lstrip('=')},[cost])" for v in values]  # not feasible: why
        m.add(
            key, label, "money/month", values, fmt="money", names=[f"{o}_cost_{key[:-2]}" for o in OPTIONS], note=note
        )
    m.add(
        "usage_c",
        "of which usage (tokens, GPU time)",
        "money/month",
        [
            *(
                "=IF(AND(ISNUMBER([cost]),ISNUMBER([staff_c]),ISNUMBER([overhead_c])),"
                "[cost]-[staff_c]-[overhead_c],[cost])"
                for _ in ("api", "cloud")
            ),
            "=IF(ISNUMBER([cost]),0,[cost])",
        ],
        fmt="money",
        names=[f"{o}_cost_usage" for o in OPTIONS],
        note="API tokens, cloud instances or per-second GPU time; on premises none (capital and running)",
    )


def basis_row(m: Rows, ws) -> None:
    """What each self-hosted option's serving figures rest on (names ``cloud_serving_basis``,
    ``onprem_serving_basis``)."""
    m.add(
        "basis",
        "serving figures rest on",
        "text",
        [
            "",
            *(
                f'=IF(ISNUMBER([cost]),IF(ISNUMBER({o}_layout_tp),"{ESTIMATED}","{GIVEN}"),"")'
                for o in ("cloud", "onprem")
            ),
        ],
        names=[None, "cloud_serving_basis", "onprem_serving_basis"],
        note="estimated by the serving model (with how far such estimates are from published measurements), or "
        "given (a typed seconds_per_request)",
    )
    wrap_ids(ws, m.at["basis"], "DE")
