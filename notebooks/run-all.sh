#!/usr/bin/env bash
# Runs notebooks top to bottom in a real .NET Interactive C# kernel (the dotnet-repl tool from the
# repository's tool manifest) — the way a reader's kernel runs them, loading the built library from disk.
#
#   notebooks/run-all.sh                 full runs; writes each notebook's outputs back into it
#   notebooks/run-all.sh --quick         quick mode (NOTEBOOKNET_QUICK=1): small subsets; outputs go to a temp folder
#   notebooks/run-all.sh [--quick] 03-backpropagation.ipynb …   only these notebooks
#
# Exits non-zero, naming the notebook, if any cell fails.
set -euo pipefail
cd "$(dirname "$0")"

quick=0
if [ "${1:-}" = "--quick" ]; then
  quick=1
  shift
fi
notebooks=("$@")
if [ ${#notebooks[@]} -eq 0 ]; then
  notebooks=([0-9]*.ipynb)
fi

dotnet tool restore >/dev/null
dotnet build -c Release ../src/NotebookNet.Studio >/dev/null   # the library, and the studio notebook 08 hosts

outputs=$(mktemp -d)
failed=0
for notebook in "${notebooks[@]}"; do
  start=$(date +%s)
  if [ "$quick" -eq 1 ]; then
    export NOTEBOOKNET_QUICK=1
  else
    unset NOTEBOOKNET_QUICK
  fi
  # The kernel's peak resident memory, where GNU time is installed (Debian's "time" package).
  measure=()
  if [ -x /usr/bin/time ]; then
    measure=(/usr/bin/time -o "$outputs/$notebook.peak" -f "%M")
  fi
  if "${measure[@]}" dotnet tool run dotnet-repl --run "$notebook" --exit-after-run --output-path "$outputs/$notebook" >"$outputs/$notebook.log" 2>&1 \
     && ! grep -q '"output_type": "error"' "$outputs/$notebook"; then
    peak=""
    if [ -s "$outputs/$notebook.peak" ]; then
      peak=", peak $(( $(tail -1 "$outputs/$notebook.peak") / 1024 )) MB"
    fi
    echo "ok      $notebook ($(( $(date +%s) - start )) s$peak)"
    if [ "$quick" -eq 0 ]; then
      # Keep the outputs; drop dotnet-repl's per-cell timestamps, which would change on every run.
      cp "$notebook" "$outputs/$notebook.before"
      grep -v '"dotnet_repl_cellExecution' "$outputs/$notebook" > "$notebook"
      if command -v python3 >/dev/null; then
        # dotnet-repl's writer now and then breaks a character of several bytes in a cell's source: the sources go back
        # as they were (a broken character in an output fails the run instead).
        if ! python3 keep-sources.py "$outputs/$notebook.before" "$notebook"; then
          cp "$outputs/$notebook.before" "$notebook"
          failed=1
          continue
        fi
        # dotnet-repl records every update of a progress bar as a new output (Jupyter would replace it in place):
        # keep only the last state of each bar.
        python3 collapse-progress.py "$notebook"
      else
        echo "        (python3 not found: every progress update stays in $notebook, and its sources as dotnet-repl wrote them)"
      fi
    fi
  else
    echo "FAILED  $notebook: see $outputs/$notebook and $outputs/$notebook.log"
    grep -A3 '"ename"' "$outputs/$notebook" 2>/dev/null | head -20 || tail -20 "$outputs/$notebook.log"
    failed=1
  fi
done
# A failed run's folder stays for the message above; a passing one is removed (CI clones share one disk).
[ "$failed" -ne 0 ] || rm -rf "$outputs"
exit "$failed"
