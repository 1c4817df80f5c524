"""Hashes of what the project outputs, to show a refactoring changes nothing (byte for byte).

Writes a JSON file of sha256 hashes: every workbook of the LibreOffice tests (``tests/recalc_cases.py``: the worked
examples, edge cases, 32 random and 12 growth scenarios) and the user-row workbooks, ``sweep`` over 300 random valid
scenarios (plain and with the hybrid), 11 ``llmcost`` outputs, and 7 worksheet-function results. Compare two
snapshots to list what changed::

    python bench/output_snapshot.py before.json      # at the commit before the change
    python bench/output_snapshot.py after.json       # after it
    python bench/output_snapshot.py --diff before.json after.json

Run it from the checkout's root: it imports that checkout's packages. About 2 minutes on a 2-core machine.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path.cwd()
CLI = "import sys; from workbook.cli import main; sys.argv[0] = 'llmcost'; main()"
COMMANDS = [
    ["compare"],
    ["compare", "--format", "json"],
    ["compare", "--set", "model=llama-3.1-8b", "--set", "cloud_gpu=L40S"],
    ["compare", "--set", "cloud_billing=per_second", "--set", "min_replicas=0", "--set", "model=llama-3.1-8b"],
    ["compare", "--projection"],
    ["compare", "--sensitivity"],
    ["catalog", "gpus"],
    ["catalog", "models"],
    ["catalog", "offers"],
    ["catalog", "servers"],
    ["catalog", "keys"],
]
UDF_CALLS = [
    ("LLM_THROUGHPUT", ("llama-3.3-70b", "H100-SXM")),
    ("LLM_THROUGHPUT", ("llama-3.1-8b", "L40S", 1, "fp8", 32)),
    ("LLM_GPUS_NEEDED", (70, 80)),
    ("LLM_WEIGHTS_GB", (70, "fp8")),
    ("LLM_KV_CACHE_GB", ("llama-3.1-8b", 1000)),
    ("LLM_KV_CACHE_GB", ("llama-3.1-8b", 1000, "fp4")),
    ("LLM_KV_CACHE_GB", ("llama-3.1-8b", 1000, 0.5)),
]


def content_hash(data: bytes) -> str:
    """sha256 of a zip's members, less ``docProps/core.xml`` (where openpyxl's own save stamps the time)."""
    h = hashlib.sha256()
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for name in sorted(z.namelist()):
            if name != "docProps/core.xml":
                h.update(name.encode() + b"\0" + hashlib.sha256(z.read(name)).digest())
    return h.hexdigest()


def snapshot() -> dict[str, str]:
    sys.path[:0] = [str(ROOT), str(ROOT / "tests")]
    import numpy as np
    import pandas as pd

    import addin.udfs as udfs
    from costengine import plan_for, sweep
    from costengine.errors import CostModelError
    from workbook.builder import write_workbook

    from recalc_cases import all_cases, random_scenario
    from user_rows_cases import write_user_books

    snap: dict[str, str] = {}
    tmp = Path(tempfile.mkdtemp(prefix="llmcost-snapshot-"))
    for name, s in all_cases().items():
        snap[f"wb:{name}"] = hashlib.sha256(write_workbook(tmp / f"{name}.xlsx", s).read_bytes()).hexdigest()
    for name, path in write_user_books(tmp).items():
        snap[f"userwb:{name}"] = content_hash(path.read_bytes())
    rng = np.random.default_rng(7)
    rows = []
    while len(rows) < 300:
        try:
            s = random_scenario(rng)
            plan_for(s)
        except CostModelError:
            continue
        rows.append({k: v for k, v in s.model_dump().items() if k in s.model_fields_set})
    frame = pd.DataFrame(rows)
    for hybrid in (False, True):
        try:
            text = sweep(frame, hybrid=hybrid).to_csv(float_format="%.17g")
        except CostModelError as exc:
            text = f"error {exc}"
        snap[f"sweep:{hybrid}"] = hashlib.sha256(text.encode()).hexdigest()
    env = dict(os.environ, COLUMNS="120")
    for command in COMMANDS:
        r = subprocess.run([sys.executable, "-c", CLI, *command], cwd=ROOT, capture_output=True, text=True, env=env)
        snap["cli:" + " ".join(command)] = hashlib.sha256(f"{r.returncode}{r.stdout}{r.stderr}".encode()).hexdigest()
    for name, args in UDF_CALLS:
        snap[f"udf:{name}{args}"] = repr(getattr(udfs, name)(*args))
    return snap


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+", help="OUT.json, or with --diff two snapshots")
    parser.add_argument("--diff", action="store_true", help="list the entries that differ between two snapshots")
    args = parser.parse_args()
    if args.diff:
        if len(args.files) != 2:
            parser.error("--diff takes two snapshots")
        a, b = (json.loads(Path(p).read_text()) for p in args.files)
        changed = sorted(k for k in a.keys() | b.keys() if a.get(k) != b.get(k))
        for key in changed:
            print(f"{key}: {a.get(key, '<missing>')[:16]} -> {b.get(key, '<missing>')[:16]}")
        print(f"{len(changed)} differences of {len(a)} entries")
        return 1 if changed else 0
    snap = snapshot()
    Path(args.files[0]).write_text(json.dumps(snap, indent=1, sort_keys=True))
    print(f"{len(snap)} entries -> {args.files[0]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
