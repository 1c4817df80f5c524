"""Scenario files (CSV / YAML) as the CLI reads them: streaming rows, and one line naming file and line."""

import pytest

from costengine import CostModelError, Scenario
from workbook.cli.errors import CliError
from workbook.cli.scenario_files import count_rows, iter_rows, load_scenario, parse_sets


def _error(fn, *args) -> str:
    with pytest.raises((CostModelError, CliError)) as info:  # file problems are the CLI's, bad keys the engine's
        fn(*args)
    assert len(info.value.lines()) == 1
    return info.value.lines()[0]


def test_csv_rows_with_names_lines_and_blank_rows(tmp_path):
    f = tmp_path / "s.csv"
    # a UTF-8 BOM (Excel's "CSV UTF-8"), a quoted field over two lines, a blank row and an all-empty row
    f.write_bytes('\ufeffname,requests_per_month,currency\nalpha,1000,USD\n"be\nta",2000,EUR\n\n,,\ngamma,,\n'.encode())
    rows = list(iter_rows(f))
    assert [(r.number, r.line, r.name) for r in rows] == [(1, 2, "alpha"), (2, 3, "be\nta"), (3, 7, "gamma")]
    assert rows[0].values == {"requests_per_month": "1000", "currency": "USD"}
    assert count_rows(f) == 3


def test_semicolon_csv_from_excel(tmp_path):
    f = tmp_path / "s.csv"
    f.write_text("name;requests_per_month\na;5\n")
    assert list(iter_rows(f))[0].values == {"requests_per_month": "5"}


def test_yaml_list_streams_items_with_their_lines(tmp_path):
    f = tmp_path / "s.yaml"
    f.write_text("# comment\n- name: a\n  requests_per_month: 10\n- {name: b, prompt_tokens: 5}\n- {}\n")
    rows = list(iter_rows(f))
    assert [(r.number, r.line, r.name) for r in rows] == [(1, 2, "a"), (2, 4, "b"), (3, 5, None)]
    assert rows[1].values == {"prompt_tokens": 5}


def test_yaml_single_mapping_is_one_scenario(tmp_path):
    f = tmp_path / "one.yml"
    f.write_text("requests_per_month: 7\n")
    assert load_scenario(f) == {"requests_per_month": 7}


@pytest.mark.parametrize(
    "name, text, expected",
    [
        (
            "bad.csv",
            "name,requets_per_month\n",
            "bad.csv line 1: column 'requets_per_month' is not a scenario key; did you mean requests_per_month?",
        ),
        ("dup.csv", "prompt_tokens,Prompt_Tokens\n1,2\n", "dup.csv line 1: column 'Prompt_Tokens' appears twice"),
        ("wide.csv", "name,prompt_tokens\na,1,oops\n", "wide.csv line 2: has 3 fields but the header has 2 columns"),
        ("quote.csv", 'name,prompt_tokens\na,1\nb,"2\n', "quote.csv line 3: malformed CSV"),
        ("bad.yaml", "- name: a\n  prompt_tokens: [1\n", "bad.yaml line 3: malformed YAML"),
        ("list.yaml", "- 5\n", "list.yaml line 1: scenario 1 must be a mapping of key: value (got int)"),
        ("scalar.yaml", "hello\n", "scalar.yaml line 1: must be a YAML list of scenarios"),
        ("docs.yaml", "a: 1\n---\nb: 2\n", "docs.yaml line 2: holds more than one YAML document"),
        (
            "twice.yaml",
            "- {name: a, prompt_tokens: 1, PROMPT_TOKENS: 2}\n",
            "twice.yaml line 1: key 'prompt_tokens' is given twice in scenario 1",
        ),
        ("notes.txt", "a,b\n", "notes.txt: must be a .csv, .yaml or .yml scenario file (got '.txt')"),
    ],
)
def test_malformed_files_give_one_line_with_file_and_line(tmp_path, name, text, expected):
    f = tmp_path / name
    f.write_text(text)
    line = _error(lambda: list(iter_rows(f)))
    assert line.startswith(f"{tmp_path}/{expected}"), line


def test_binary_file_is_not_utf8(tmp_path):
    f = tmp_path / "bin.csv"
    f.write_bytes(b"name,prompt_tokens\n\xff\xfe\x00\x81,1\n")
    line = _error(lambda: list(iter_rows(f)))
    assert line.startswith(f"{f} line") and "is not UTF-8 text" in line


def test_missing_file(tmp_path):
    assert _error(lambda: list(iter_rows(tmp_path / "nope.csv"))) == f"{tmp_path / 'nope.csv'}: no such file"


def test_parse_sets_keeps_last_and_names_unknown_keys():
    assert parse_sets(["Prompt_Tokens=5", "prompt_tokens= 6 ", "currency=EUR"]) == {
        "prompt_tokens": 6.0,
        "currency": "EUR",
    }
    assert _error(parse_sets, ["outputtokens=5"]) == "--set outputtokens: unknown key; did you mean output_tokens?"
    assert _error(parse_sets, ["=5"]).startswith("--set: must be KEY=VALUE")


def test_blank_set_value_means_default():
    from workbook.cli.scenario_files import scenario_from

    assert scenario_from(None, ["cloud_price_per_gpu_hour="]) == Scenario()
