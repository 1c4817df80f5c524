"""`llmcost catalog add-model CONFIG.json`: made-up configs become model rows (printed or appended to a user
catalog file); what a config lacks is named in one line."""

import csv
import io
import json

from typer.testing import CliRunner

from costengine.catalogs import MODEL_COLUMNS, OpenModel
from costengine.model_config import param_counts
from workbook.cli import app

runner = CliRunner()

DENSE = {
    "_name_or_path": "acme/Tiny-Dense-1B",
    "num_hidden_layers": 2,
    "num_attention_heads": 4,
    "num_key_value_heads": 2,
    "head_dim": 16,
    "hidden_size": 64,
    "intermediate_size": 128,
    "vocab_size": 500,
    "max_position_embeddings": 4096,
}
MLA_MOE = {
    "num_hidden_layers": 3,
    "num_attention_heads": 4,
    "num_key_value_heads": 4,
    "hidden_size": 64,
    "intermediate_size": 256,
    "vocab_size": 500,
    "max_position_embeddings": 8192,
    "kv_lora_rank": 32,
    "q_lora_rank": 48,
    "qk_rope_head_dim": 8,
    "qk_nope_head_dim": 16,
    "v_head_dim": 16,
    "n_routed_experts": 8,
    "n_shared_experts": 1,
    "num_experts_per_tok": 2,
    "moe_intermediate_size": 32,
    "first_k_dense_replace": 1,
    "quantization_config": {"quant_method": "fp8"},
}


def _write(tmp_path, cfg, name="config.json"):
    p = tmp_path / name
    p.write_text(json.dumps(cfg), encoding="utf-8")
    return str(p)


def _rows(text):
    return list(csv.DictReader(io.StringIO(text)))


def test_dense_config_prints_a_row_named_after_the_checkpoint(tmp_path):
    result = runner.invoke(app, ["catalog", "add-model", _write(tmp_path, DENSE), "--license", "MIT"])
    assert result.exit_code == 0, result.output
    (row,) = _rows(result.stdout)
    assert tuple(row) == MODEL_COLUMNS
    assert row["id"] == "tiny-dense-1b" and row["license"] == "MIT" and row["kv_heads"] == "2"
    h = 64
    total = 2 * 500 * h + 2 * (2 * h * 4 * 16 + 2 * h * 2 * 16 + 2 * h + 3 * h * 128) + h
    assert float(row["params_billion"]) == float(f"{total / 1e9:.5g}")


def test_mla_moe_config_appended_to_a_user_catalog(tmp_path):
    out = tmp_path / "models.csv"
    args = ["catalog", "add-model", _write(tmp_path, MLA_MOE), "--id", "made-up-mla", "-o", str(out)]
    assert runner.invoke(app, [*args, "--license", "Apache-2.0", "--reasoning"]).exit_code == 0
    second = runner.invoke(app, [*args[:4], "other-mla", *args[5:], "--license", "MIT"])
    assert second.exit_code == 0, second.output
    rows = _rows(out.read_text(encoding="utf-8"))
    assert [r["id"] for r in rows] == ["made-up-mla", "other-mla"]
    r = rows[0]
    assert (r["kv_lora_rank"], r["qk_rope_head_dim"], r["native_precision"], r["reasoning"]) == (
        "32",
        "8",
        "fp8",
        "true",
    )
    assert (r["experts"], r["shared_experts"], r["dense_layers"], r["head_dim"]) == ("8", "1", "1", "16")
    typed = {c: (int(v) if v.isdigit() else v) for c, v in r.items()}
    counts = param_counts(
        OpenModel(
            **{
                **typed,
                **{k: float(typed[k]) for k in ("params_billion", "active_params_billion", "expert_params_billion")},
            }
        )
    )
    assert (
        float(r["expert_params_billion"]) == float(f"{counts.experts:.5g}") == float(f"{2 * 8 * 3 * 64 * 32 / 1e9:.5g}")
    )
    again = runner.invoke(app, args + ["--license", "MIT"])
    assert again.exit_code == 1 and "already has model 'made-up-mla'" in again.stderr


def test_missing_key_is_named(tmp_path):
    cfg = {k: v for k, v in DENSE.items() if k != "num_key_value_heads"}
    result = runner.invoke(app, ["catalog", "add-model", _write(tmp_path, cfg)])
    assert result.exit_code == 1
    assert result.stderr.strip() == "config.json: num_key_value_heads: missing"


def test_config_without_a_name_needs_an_id(tmp_path):
    cfg = {k: v for k, v in DENSE.items() if k != "_name_or_path"}
    result = runner.invoke(app, ["catalog", "add-model", _write(tmp_path, cfg)])
    assert result.exit_code == 1 and result.stderr.startswith("--id: needed")


def test_not_json_is_one_line(tmp_path):
    p = tmp_path / "config.json"
    p.write_text("{not json", encoding="utf-8")
    result = runner.invoke(app, ["catalog", "add-model", str(p)])
    assert result.exit_code == 1 and "is not JSON" in result.stderr and len(result.stderr.strip().splitlines()) == 1
