// Tried with pyodide@0.27.7 on node 20 (pyodide 314.x needs a newer node). Loads the llmcost-excel wheel into Pyodide under node, offline, as far as it goes (what xlwings Lite runs).
//   npm install pyodide            (in any folder; this script looks in NODE_PATH / ./node_modules)
//   pip wheel . --no-deps -w dist && node bench/pyodide_wheel.mjs dist/llmcost_excel-*.whl
// Skips (exit 0, one line) without node's pyodide package or a wheel. The npm package holds Pyodide's core
// only: numpy, pandas, pydantic (compiled for WebAssembly) come from Pyodide's package CDN, which is not
// reachable here, so the script reports which imports fail for that reason.
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import path from "node:path";

const wheel = process.argv[2];
let loadPyodide;
try {
  const require = createRequire(path.join(process.cwd(), "noop.js"));
  ({ loadPyodide } = require("pyodide"));
} catch (e) {
  console.log("skipped: node's pyodide package is not installed (npm install pyodide)");
  process.exit(0);
}
if (!wheel) {
  console.log("skipped: no wheel given (pip wheel . --no-deps -w dist)");
  process.exit(0);
}
const py = await loadPyodide();
py.FS.writeFile("/tmp/w.whl", readFileSync(wheel));
const report = py.runPython(`
import sys, zipfile, importlib, json
zipfile.ZipFile("/tmp/w.whl").extractall("/tmp/site")   # a pure-Python wheel: unpacking is installing
sys.path.insert(0, "/tmp/site")
out = {"python": sys.version.split()[0], "platform": sys.platform}
for name in ("workbook.xlwings_setup", "numpy", "pandas", "pydantic", "genai_prices",
             "xlwings", "costengine", "addin.udfs"):
    try:
        importlib.import_module(name)
        out[name] = "ok"
    except Exception as e:
        out[name] = f"{type(e).__name__}: {e}"
import os
out["catalogs in the wheel (costengine/data)"] = sorted(f for f in os.listdir("/tmp/site/costengine/data") if f.endswith(".csv"))
import workbook.xlwings_setup as s
out["wheel name"] = s.wheel_name()
json.dumps(out, indent=1)
`);
console.log(report);
