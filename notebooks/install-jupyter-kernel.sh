#!/usr/bin/env bash
# Registers the .NET Interactive C# kernel (".net-csharp") with Jupyter, listening on localhost only.
# Needs Jupyter (jupyter on PATH) and the .NET 10 SDK. Run from anywhere inside the repository.
set -euo pipefail
cd "$(dirname "$0")/.."

dotnet tool restore
dotnet tool run dotnet-interactive -- jupyter install

# By default each .NET Interactive kernel also opens an HTTP listener (ports 2048-3000) on every network interface.
# --http-local-only keeps it on 127.0.0.1: added to every kernelspec dotnet-interactive installed (C#, F#, PowerShell).
jupyter kernelspec list --json 2>/dev/null | python3 -c "$(cat <<'PY'
import json, sys
for name, entry in json.load(sys.stdin)["kernelspecs"].items():
    path = entry["resource_dir"] + "/kernel.json"
    with open(path) as f:
        spec = json.load(f)
    argv = spec["argv"]
    if "interactive" not in argv and not any("dotnet-interactive" in word for word in argv):
        continue
    if "--http-local-only" not in argv:
        argv.append("--http-local-only")
        with open(path, "w") as f:
            json.dump(spec, f, indent=2)
    print(name + ": " + " ".join(argv))
PY
)"
