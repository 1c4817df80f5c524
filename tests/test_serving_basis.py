"""Every serving figure says what it rests on (issue 21's labels): estimated by the serving model, with how far such
estimates typically are from published measurements, or given (a typed seconds_per_request); in compare(), the CLI,
LLM_COMPARE and LLM_LAYOUT."""

from typer.testing import CliRunner

from addin import adapters
from costengine import Scenario, compare
from costengine.serving.parameters import ESTIMATED, GIVEN, HELD_OUT
from workbook.cli import app


def test_a_derived_layout_is_estimated_and_says_how_far_off():
    t = compare(Scenario())
    assert t.loc["cloud", "serving_basis"] == ESTIMATED == t.loc["onprem", "serving_basis"]
    assert f"{HELD_OUT[0]} of {HELD_OUT[1]} held-out" in ESTIMATED
    assert t.loc["api", "serving_basis"] == ""


def test_a_typed_seconds_per_request_is_given():
    t = compare(Scenario(seconds_per_request=1.5, cloud_gpus_per_replica=2, onprem_gpus_per_replica=2))
    assert t.loc["cloud", "serving_basis"] == GIVEN == t.loc["onprem", "serving_basis"]


def test_an_option_not_feasible_has_no_basis():
    t = compare(Scenario(cloud_gpu="L4", model="llama-3.3-70b"))
    assert t.loc["cloud", "serving_basis"] == "" and t.loc["onprem", "serving_basis"] == ESTIMATED


def test_the_cli_and_the_excel_functions_show_it():
    out = CliRunner().invoke(app, ["compare"], terminal_width=200)
    assert "cloud, onprem: serving figures estimated: throughput within 0.67x-1.5x" in out.output
    table = adapters.compare([["requests_per_month", 1e6]])
    assert table[0][-1] == "serving_basis" and table[2][-1] == ESTIMATED
    layout = adapters.layout([["requests_per_month", 1e6]], "cloud")
    assert layout[0][-1] == "serving_basis" and layout[1][-1] == ESTIMATED
