"""The Sizing sheet's work and model rows (column C, the same for both options): tokens per request, the latency
targets, the model's catalog row, the precision used (``costengine.serving.memory``), weight bytes, KV cache per
token and the prefill chunks; ``sizing_model_check`` reads the context-window check.

Defines ``model_row``, ``model_params_billion_used``, ``precision_used``, ``tokens_per_request`` (prompt + output
decoded, hidden reasoning tokens included), ``reasoning_tokens_used`` and ``reasoning_note``.
"""

from __future__ import annotations

from costengine.model_rows import MODEL_COUNTS

from ..kit import Rows, escape_lookup, gated

__all__ = ["model_rows"]


#: Model catalog rows: key, label, Models column, format.
_MODEL_CATALOG = (
    ("cat_params", "parameters (catalog)", "params_billion", "#,##0.00"),
    ("layers", "layers", "layers", "int"),
    ("cat_active", "active parameters (catalog)", "active_params_billion", "#,##0.00"),
    ("cat_expert", "routed-expert parameters (catalog)", "expert_params_billion", "#,##0.00"),
    ("heads", "attention heads", "attention_heads", "int"),
    ("kv_heads", "KV heads", "kv_heads", "int"),
    ("head_dim", "head dimension", "head_dim", "int"),
    ("hidden", "hidden size", "hidden_size", "int"),
    ("ctx_len", "context window", "context_length", "count"),
    ("experts", "experts (0 = dense)", "experts", "int"),
    ("top_k", "experts per token", "experts_per_token", "int"),
    ("kv_lora", "MLA latent width (0 = none)", "kv_lora_rank", "int"),
    ("rope", "MLA RoPE key width", "qk_rope_head_dim", "int"),
    ("window", "sliding window", "sliding_window", "count"),
    ("sl_layers", "sliding-window layers", "sliding_layers", "int"),
    ("lin_layers", "linear-attention layers", "linear_layers", "int"),
    ("native", "native format", "native_precision", None),
)


def model_rows(x: Rows) -> None:
    one = lambda f: [f, None]  # noqa: E731 - model rows have one value (column C)
    x.section("Work and targets", gap=1)
    x.add("derive", "derive seconds_per_request", "yes/no", one("=LEN(TRIM(seconds_per_request))=0"), note="blank")
    x.add("p", "prompt tokens", "tokens", one("=prompt_tokens_used"), kind="link", fmt="count")
    x.add("o_vis", "output tokens (visible)", "tokens", one("=output_tokens_used"), kind="link", fmt="count")
    x.add(
        "r_tok",
        "hidden reasoning tokens",
        "tokens",
        one("=IF(LEN(TRIM(reasoning_tokens))=0,0,reasoning_tokens_typed)"),
        fmt="count",
        names=["reasoning_tokens_used", None],
        note="reasoning_tokens; blank = 0 (a reasoning model's blank is warned below)",
    )
    x.add(
        "o",
        "output tokens decoded",
        "tokens",
        one(gated("[o_vis]+[r_tok]", "[o_vis]", "[r_tok]")),
        fmt="count",
        note="output + reasoning tokens: the serving model's output length (costengine.selfhosted.decoded_tokens)",
    )
    x.add(
        "tokens",
        "tokens per request",
        "tokens",
        one(gated("[p]+[o]", "[p]", "[o]")),
        fmt="count",
        names=["tokens_per_request", None],
    )
    x.add("util", "target utilisation", "0..1", one("=target_utilization_used"), kind="link", fmt="ratio")
    for key, label, name, div in (
        ("tgt_tpot", "TPOT target", "max_tpot_ms_used", "/c_ms_per_s"),
        ("tgt_ttft", "TTFT target", "max_ttft_s_used", ""),
    ):
        x.add(
            key,
            label,
            "s",
            one(f'=IF(AND(ISNUMBER({name}),{name}>0),{name}{div},"none")'),
            fmt="0.000",
            note="none or 0 = no target",
        )
    x.section("Model (the same for both options)")
    x.add("model_id", "model", "id", one("=model_used"), kind="link")  # catalog rows: the Models sheet
    x.add(
        "model_row",
        "row in the Models sheet",
        "row",
        one(
            f'=IF(ISNA(MATCH({escape_lookup("[model_id]")},list_models,0)),"not in catalog",'
            f"MATCH({escape_lookup('[model_id]')},list_models,0))"
        ),
        fmt="int",
        names=["model_row", None],
    )
    for key, label, col, fmt in _MODEL_CATALOG:
        cell = f"INDEX(md_{col},[model_row])"
        if col in MODEL_COUNTS[2:]:  # an attention column a user row may leave blank: 0, as the engine reads it
            cell = f"IF(ISNUMBER({cell}),{cell},0)"
        x.add(key, label, "", one(gated(cell, "[model_row]")), kind="link", fmt=fmt)
    x.add(
        "reasons",
        "reasons by default (catalog)",
        "yes/no",
        one(
            "=IF(ISNUMBER([model_row]),OR(INDEX(md_reasoning,[model_row])=TRUE,"
            'LOWER(TRIM(INDEX(md_reasoning,[model_row])&""))="true"),FALSE)'
        ),
        kind="link",
        note="the Models sheet's reasoning column (TRUE, or the text true)",
    )
    x.add(
        "r_note",
        "reasoning note",
        "text",
        one(
            '=IF(AND([reasons],[derive],LEN(TRIM(reasoning_tokens))=0),"reasoning_tokens blank: "'
            '&INDEX(list_models,[model_row])&" reasons; its hidden tokens are decoded on your GPUs and are not '
            'counted: type an estimate","")'
        ),
        names=["reasoning_note", None],
        note="costengine.selfhosted.reasoning_notes",
    )
    x.add(
        "params",
        "parameters used",
        "billion",
        one("=IF(LEN(TRIM(model_params_billion))=0,[cat_params],model_params_billion)"),
        fmt="#,##0.00",
        names=["model_params_billion_used", None],
        note="typed value, or the catalog's",
    )
    x.add("scale", "parameters / catalog's", "ratio", one(gated("[params]/[cat_params]", "[params]", "[cat_params]")))
    typed = "IF(ISNUMBER(precision),precision,TRIM(precision))"
    x.add(
        "precision",
        "precision used",
        "name",
        one(
            f'=IF(LEN(TRIM(precision))=0,IF(ISNUMBER([model_row]),[native],"n/a"),'
            f'IF(ISNA(MATCH({typed},prec_keys,0)),"invalid",INDEX(prec_names,MATCH({typed},prec_keys,0))))'
        ),
        names=["precision_used", None],
        note="typed precision, or the model's native format",
    )
    x.add(
        "prec_row",
        "row in the precision table",
        "row",
        one('=IF(ISNA(MATCH([precision],prec_keys,0)),"invalid",MATCH([precision],prec_keys,0))'),
        fmt="int",
    )
    for key, label, name in (
        ("bpp", "bytes per parameter", "prec_bytes"),
        ("kvb", "KV bytes/value", "prec_kv_bytes"),
        ("w16", "bf16 peak weight", "prec_bf16_weight"),
        ("w8", "fp8 peak weight", "prec_fp8_weight"),
        ("w4", "fp4 peak weight", "prec_fp4_weight"),
    ):
        x.add(key, label, "", one(gated(f"INDEX({name},[prec_row])", "[prec_row]")), kind="link", fmt="0.0")
    x.add(
        "expert_p",
        "routed-expert parameters used",
        "billion",
        one(gated("[cat_expert]*[scale]", "[scale]")),
        fmt="#,##0.00",
    )
    x.add("w_expert", "expert weight bytes", "B", one(gated("[expert_p]*c_per_billion*[bpp]", "[expert_p]", "[bpp]")))
    x.add(
        "w_bytes",
        "weight bytes W",
        "B",
        one(
            gated(
                "IF(AND([bpp]=c_four_bit_bytes,[experts]>0),[w_expert]+([params]-[expert_p])*c_per_billion*2,"
                "[params]*c_per_billion*[bpp])",
                "[w_expert]",
                "[params]",
                "[bpp]",
                "[experts]",
            )
        ),
        fmt="sci",
        note="4-bit MoE checkpoints quantise the experts only; the rest stays at 16 bits",
    )
    x.add("weights_gb", "weights", "GB", one(gated("[w_bytes]/c_bytes_per_gb", "[w_bytes]")), fmt="gb")
    x.add(
        "floor",
        "memory floor of a derived layout",
        "B",
        one(gated("[w_bytes]*memory_overhead_used", "[w_bytes]", "memory_overhead_used")),
        fmt="sci",
        note="weights x memory_overhead (usable memory a derived layout needs)",
    )
    x.add(
        "active",
        "active parameters per token",
        "count",
        one(gated("[cat_active]*[scale]*c_per_billion", "[cat_active]", "[scale]")),
        fmt="sci",
    )
    x.add(
        "ctx",
        "tokens in the KV cache per sequence",
        "tokens",
        one(gated("[p]+[o]/2", "[p]", "[o]")),
        fmt="count",
        note="prompt + half the output, on average",
    )
    x.add(
        "kv_layer",
        "KV cache per layer and token",
        "B",
        one(
            gated(
                "IF([kv_lora]>0,([kv_lora]+[rope])*[kvb],c_kv_tensors*[kv_heads]*[head_dim]*[kvb])",
                "[kv_lora]",
                "[rope]",
                "[kv_heads]",
                "[head_dim]",
                "[kvb]",
            )
        ),
        fmt="count",
        note="2 (K and V) x KV heads x head dim x bytes; MLA: (latent + RoPE key) x bytes",
    )
    x.add(
        "kv",
        "KV cache per token",
        "B",
        one(
            gated(
                "[kv_layer]*([layers]-[sl_layers]-[lin_layers]+IF([sl_layers]>0,[sl_layers]*MIN([ctx],[window])/[ctx],0))",
                "[kv_layer]",
                "[layers]",
                "[sl_layers]",
                "[lin_layers]",
                "[window]",
                "[ctx]",
            )
        ),
        fmt="count",
        note="per layer x (full + sliding layers x MIN(tokens held, window) / tokens held); linear layers hold none",
    )
    x.add(
        "attn",
        "attention width",
        "count",
        one(gated("[heads]*[head_dim]", "[heads]", "[head_dim]")),
        fmt="count",
        note="attention heads x head dim (prefill attention over the prompt)",
    )
    x.add(
        "ceff",
        "compute efficiency",
        "ratio",
        one(gated("IF([experts]>0,c_srv_compute*c_srv_moe_compute,c_srv_compute)", "[experts]")),
        fmt="0.000",
        note="grouped expert GEMMs run below dense efficiency",
    )
    x.add("chunks", "prefill chunks", "count", one(gated("ROUNDUP([p]/c_srv_chunk_tokens,0)", "[p]")))
    need = (
        "OR("
        + ",".join(
            f"LEN(TRIM({k}))=0"
            for k in (
                "model_params_billion",
                "seconds_per_request",
                "precision",
                "cloud_gpus_per_replica",
                "onprem_gpus_per_replica",
            )
        )
        + ")"
    )
    x.add(
        "model_check",
        "check (model)",
        "",
        one(
            f'=IF(AND({need},ISNUMBER([ctx_len]),ISNUMBER([tokens])),IF([tokens]>[ctx_len],"prompt_tokens: '
            f'prompt_tokens + output_tokens + reasoning_tokens = "&TEXT([tokens],"#,##0")&" exceeds the context '
            f'window of "&INDEX(list_models,[model_row])&" ("&TEXT([ctx_len],"#,##0")&" tokens)",""),"")'
        ),
        kind="check",
    )
