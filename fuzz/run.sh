#!/usr/bin/env bash
# Coverage-guided fuzzing of one loader with SharpFuzz and AFL++ (kept out of CI): see README.md beside this script.
#   fuzz/run.sh TARGET [SECONDS]     targets: idx idx-gzip model model-payload model-v1-payload checkpoint checkpoint-payload image csv studio; default 600 s
set -euo pipefail
cd "$(dirname "$0")"
target=${1:?usage: fuzz/run.sh TARGET [SECONDS]}
seconds=${2:-600}
command -v afl-fuzz >/dev/null || { echo "afl-fuzz is missing: apt-get install afl++" >&2; exit 1; }

# SharpFuzz's instrumenter, in a folder of its own (not the repository's tool manifest, which CI restores).
[ -x .tools/sharpfuzz ] || dotnet tool install --tool-path .tools SharpFuzz.CommandLine --version 2.3.0 >/dev/null

# Build once, then instrument the library and the studio (AFL++ sees their branches; SkiaSharp's native code is not instrumented).
if [ ! -f .build/instrumented ]; then
  rm -rf .build
  dotnet publish NotebookNet.Fuzz -c Release -o .build >/dev/null
  rm -rf corpus && dotnet .build/NotebookNet.Fuzz.dll corpus corpus   # before instrumenting: instrumented code runs only under AFL
  for dll in NotebookNet.dll NotebookNet.Studio.dll; do .tools/sharpfuzz ".build/$dll"; done
  touch .build/instrumented
fi

export AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_UI=1 AFL_SKIP_BIN_CHECK=1
mkdir -p findings
afl-fuzz -i "corpus/$target" -o "findings/$target" -t 10000 -m none -V "$seconds" -- dotnet .build/NotebookNet.Fuzz.dll "$target" >"findings-$target.log" 2>&1 || true
stats="findings/$target/default/fuzzer_stats"
[ -f "$stats" ] || { echo "$target: afl-fuzz did not start; see fuzz/findings-$target.log" >&2; tail -20 "findings-$target.log" >&2; exit 1; }
field() { awk -F' *: *' -v k="$1" '$1 == k { print $2 }' "$stats"; }
echo "$target: $(field run_time) s, $(field execs_done) executions ($(field execs_per_sec)/s), $(field corpus_count) paths, $(field saved_crashes) crashes, $(field saved_hangs) hangs"
# Replay what AFL++ kept with an uninstrumented build (instrumented code runs only under AFL++).
found=$(ls "findings/$target/default/crashes"/id:* "findings/$target/default/hangs"/id:* 2>/dev/null || true)
if [ -n "$found" ]; then
  dotnet build -c Release NotebookNet.Fuzz >/dev/null
  echo "replayed outside AFL++:"
  # shellcheck disable=SC2086
  timeout 120 dotnet NotebookNet.Fuzz/bin/Release/net10.0/NotebookNet.Fuzz.dll replay "$target" $found
fi
