"""The Fine-tuning sheet: the calculation of the worked example ``docs/model.md#seed-004`` (LoRA memory, the cost
of a day of training, and the volume of training words per day at which an API's fine-tuning price costs as
much), plus its rough serving check. Formulas as ``costengine.finetune``; the inputs on this sheet start at the
article's worked example (Llama 2 70B in bfloat16, $2.80/h, GPT-3.5 Turbo at $0.008 per 1K tokens).
"""

from __future__ import annotations

from costengine import finetune

from ..kit import Book, Rows, header_row, heading, put_text, setup_sheet

__all__ = ["SHEET", "build", "ARTICLE"]

SHEET = "Fine-tuning"
#: The inputs the sheet starts with: the worked example docs/model.md#seed-004.
ARTICLE = {
    "ft_params_billion": 70.0,
    "ft_bytes_per_param": 2.0,
    "ft_trainable_share": finetune.LORA_FRACTION,
    "ft_optimizer_factor": finetune.OPTIMIZER_FACTOR,
    "ft_price_per_hour": 2.80,
    "ft_hours_per_day": 24.0,
    "ft_api_price_per_mtok": 8.0,
    "ft_tokens_per_word": 2.0,
    "ft_words_per_page": 300.0,
    "ft_serving_headroom": 1.5,
    "ft_serving_price_per_hour": 3.70,
    "ft_serving_replicas": 2,
    "ft_days_per_month": 30.0,
}


def build(book: Book) -> None:
    ws = book.sheet(SHEET)
    heading(
        ws,
        "Fine-tuning with LoRA: self-hosted or an API?",
        "The worked example of a source article (self-hosting Llama 2 70B or fine-tuning an OpenAI model; "
        "docs/model.md, Worked examples): the yellow cells start at its figures. Type your own.",
    )
    header_row(ws, 4, ["quantity", "unit", "value", "note"])
    x = Rows(book, ws, 4, value_cols=("C",), note_col="D")

    def inp(key: str, label: str, unit: str, fmt: str, note: str) -> None:
        x.add(key, label, unit, ARTICLE[key], kind="input", fmt=fmt, names=key, note=note)

    x.section("Inputs")
    inp("ft_params_billion", "model parameters", "billion", "#,##0.00", "source article: Llama 2 70B")
    inp("ft_bytes_per_param", "bytes per parameter", "B", "0.0", "bf16 = 2; QLoRA keeps frozen weights at 0.5")
    inp("ft_trainable_share", "share of parameters LoRA trains", "0..1", "0.000%", "source article: about 0.1%")
    inp(
        "ft_optimizer_factor",
        "memory of trainable parameters (optimiser, gradients)",
        "x their size",
        "0.0",
        "source article: about five times",
    )
    inp(
        "ft_price_per_hour",
        "training compute price",
        "money/h",
        "0.00",
        "source article: AWS on demand, about $2.80/h",
    )
    inp("ft_hours_per_day", "training hours per day", "h/day", "0", "")
    inp(
        "ft_api_price_per_mtok",
        "API fine-tuning price",
        "money/MTok",
        "0.000",
        "source article: GPT-3.5 Turbo, $0.008 per 1K tokens of training data",
    )
    inp(
        "ft_tokens_per_word",
        "tokens per word",
        "tokens/word",
        "0.00",
        f"the source article uses 2; a common rule of thumb for English is {finetune.TOKENS_PER_WORD}",
    )
    inp("ft_words_per_page", "words per page", "words/page", "#,##0", "to express words as pages")

    x.section("Training memory")
    x.add(
        "weights", "frozen weights", "GB", "=ft_params_billion*ft_bytes_per_param", fmt="gb", note="parameters x bytes"
    )
    x.add(
        "trainable",
        "trainable parameters",
        "million",
        "=ft_params_billion*c_millions_per_billion*ft_trainable_share",
        fmt="#,##0.0",
    )
    x.add("trainable_gb", "trainable weights", "GB", "=[weights]*ft_trainable_share", fmt="0.000")
    x.add(
        "optimizer_gb",
        "optimiser state and gradients",
        "GB",
        "=[trainable_gb]*ft_optimizer_factor",
        fmt="0.000",
        note="trainable weights x optimiser factor",
    )
    x.add(
        "memory",
        "memory to fine-tune",
        "GB",
        "=[weights]+[optimizer_gb]",
        fmt="gb",
        kind="answer",
        names="ft_memory_gb",
        note="source article: about 141 GB",
    )
    x.add(
        "gpus",
        "GPUs of the cloud GPU to hold it",
        "count",
        '=IF(ISNUMBER(cloud_gpu_memory_gb),ROUNDUP([memory]/cloud_gpu_memory_gb,0),"n/a")',
        fmt="int",
        note="with the Inputs sheet's cloud_gpu (Sizing sheet)",
    )

    x.section("Training cost against an API's fine-tuning price")
    x.add(
        "cost_day",
        "training cost per day",
        "money/day",
        "=ft_price_per_hour*ft_hours_per_day",
        fmt="money",
        kind="answer",
        names="ft_cost_per_day",
        note="source article: about $67 per day",
    )
    x.add(
        "cost_word",
        "API fine-tuning cost per word",
        "money/word",
        "=ft_api_price_per_mtok/c_tokens_per_mtok*ft_tokens_per_word",
        fmt="0.000000",
    )
    x.add(
        "words",
        "break-even training words per day",
        "words/day",
        "=[cost_day]/(ft_api_price_per_mtok/c_tokens_per_mtok)/ft_tokens_per_word",
        fmt="#,##0",
        kind="answer",
        names="ft_breakeven_words_per_day",
        note="below this the API's fine-tuning is cheaper (source article: about 4.15 million words)",
    )
    x.add(
        "pages",
        "the same in pages",
        "pages/day",
        "=[words]/ft_words_per_page",
        fmt="#,##0",
        note="source article: about 14,000 pages",
    )

    x.section("Serving the fine-tuned model (the article's rough check)")
    inp(
        "ft_serving_headroom",
        "memory headroom",
        "ratio",
        "0.0",
        "source article: keep about 1.5x for unplanned overhead",
    )
    inp(
        "ft_serving_price_per_hour",
        "serving compute price",
        "money/h",
        "0.00",
        "source article: AWS, about $3.70/h",
    )
    inp("ft_serving_replicas", "replicas", "count", "0", "source article: one redundant copy")
    inp("ft_days_per_month", "days per month", "days", "0", "")
    x.add(
        "serve_gb",
        "serving memory",
        "GB",
        "=([weights]+[trainable_gb])*ft_serving_headroom",
        fmt="gb",
        note="(weights + LoRA weights) x headroom; source article: about 210 GB",
    )
    x.add(
        "serve_day",
        "serving cost per day",
        "money/day",
        "=ft_serving_price_per_hour*c_hours_per_day*ft_serving_replicas",
        fmt="money",
        note="source article: about $180 per day with the redundant copy",
    )
    x.add(
        "serve_month",
        "serving cost per month",
        "money/month",
        "=[serve_day]*ft_days_per_month",
        fmt="money",
        kind="answer",
        names="ft_serving_monthly",
        note="source article: about $5,400 per month",
    )
    x.add(
        "serve_year",
        "serving cost per year",
        "money/year",
        "=[serve_month]*c_months_per_year",
        fmt="money",
        note="source article: about $65,000 per year, before staff",
    )
    put_text(
        ws,
        f"A{x.row + 1}",
        "The Comparison sheet models serving in full (replicas, utilisation, energy, "
        "staff); this block only repeats the article's estimate.",
        "note",
    )
    setup_sheet(
        ws, widths={"A": 46, "B": 14, "C": 16, "D": 70}, freeze="A5", print_area=f"A1:D{x.row + 1}", landscape=False
    )
