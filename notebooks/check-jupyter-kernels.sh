#!/usr/bin/env bash
# Checks that every .NET Interactive kernelspec Jupyter knows listens on localhost only (--http-local-only), as
# install-jupyter-kernel.sh makes them. Prints one "ok" or "FAILED" line; exits non-zero on failure.
set -euo pipefail
jupyter kernelspec list --json 2>/dev/null | python3 -c "$(cat <<'PY'
import json, sys
bad, seen = [], []
for name, entry in json.load(sys.stdin)["kernelspecs"].items():
    with open(entry["resource_dir"] + "/kernel.json") as f:
        argv = json.load(f)["argv"]
    if "interactive" in argv or any("dotnet-interactive" in word for word in argv):
        seen.append(name)
        if "--http-local-only" not in argv:
            bad.append(name)
if bad or not seen:
    print("FAILED  kernelspecs without --http-local-only: " + (", ".join(bad) or "no .NET Interactive kernelspec installed"))
    sys.exit(1)
print("ok      every .NET Interactive kernelspec listens on localhost only: " + ", ".join(sorted(seen)))
PY
)"
