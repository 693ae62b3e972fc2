#!/usr/bin/env bash
# Registers the .NET Interactive C# kernel (".net-csharp") with Jupyter, listening on localhost only.
# Needs Jupyter (jupyter on PATH) and the .NET 10 SDK. Run from anywhere inside the repository.
set -euo pipefail
cd "$(dirname "$0")/.."

dotnet tool restore
dotnet tool run dotnet-interactive -- jupyter install

# By default the kernel also opens an HTTP listener (ports 2048-3000) on every network interface.
# --http-local-only keeps it on 127.0.0.1.
spec=$(jupyter kernelspec list --json | python3 -c 'import json, sys; print(json.load(sys.stdin)["kernelspecs"][".net-csharp"]["resource_dir"])')
python3 - "$spec/kernel.json" <<'PY'
import json, sys
path = sys.argv[1]
with open(path) as f:
    spec = json.load(f)
if "--http-local-only" not in spec["argv"]:
    spec["argv"].append("--http-local-only")
with open(path, "w") as f:
    json.dump(spec, f, indent=2)
print(f"{path}: {' '.join(spec['argv'])}")
PY
