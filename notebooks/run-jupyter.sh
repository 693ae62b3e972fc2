#!/usr/bin/env bash
# Runs notebooks top to bottom through Jupyter itself — `jupyter nbconvert --execute` with the .NET Interactive
# kernel ".net-csharp" — in quick mode (NOTEBOOKNET_QUICK=1), outputs to a temp folder. This is the route of
# JupyterLab, Notebook and VS Code's Jupyter extension, whose kernel differs from dotnet-repl's: its own
# namespaces and assemblies can clash with a notebook's names (it has a namespace called Recipes).
#
#   notebooks/run-jupyter.sh [names…]      every notebook, or only these
#
# Needs jupyter-nbconvert and the kernel (notebooks/install-jupyter-kernel.sh). Prints "ok" or "FAILED" per
# notebook and exits non-zero if any failed.
set -euo pipefail
cd "$(dirname "$0")"

notebooks=("$@")
if [ ${#notebooks[@]} -eq 0 ]; then
  notebooks=([0-9]*.ipynb)
fi
dotnet build -c Release ../src/NotebookNet.Studio >/dev/null   # the library, and the studio notebook 08 hosts

outputs=$(mktemp -d)
failed=0
export NOTEBOOKNET_QUICK=1
for notebook in "${notebooks[@]}"; do
  start=$(date +%s)
  if jupyter nbconvert --to notebook --execute "$notebook" --output "$outputs/$notebook" \
       --ExecutePreprocessor.kernel_name=.net-csharp --ExecutePreprocessor.timeout=900 >"$outputs/$notebook.log" 2>&1; then
    echo "ok      $notebook in Jupyter ($(( $(date +%s) - start )) s)"
  else
    echo "FAILED  $notebook in Jupyter: see $outputs/$notebook.log"
    grep -E "error CS|^Error|Exception" "$outputs/$notebook.log" | head -5 || true
    failed=1
  fi
done
# A failed run's folder stays for the message above; a passing one is removed (CI clones share one disk).
[ "$failed" -ne 0 ] || rm -rf "$outputs"
exit "$failed"
