"""Keeps only the last state of each progress bar and live display in a notebook's outputs, in place, and gives
every cell an id.

dotnet-repl stores every update of a displayed value as a new output, where a Jupyter front end replaces the
displayed value in place; a committed notebook would show dozens of bars per training cell. Consecutive
outputs that are progress bars (class "nbnet-progress") with the same title are reduced to the last one, and of the
displays a cell updates as it goes (class "nbnet-live", from Show.Live) only the last state is kept.
nbformat 4.5 requires an id on every cell; a cell without one gets "cell-<index>", the same on every run.
"""
import json
import re
import sys


def title(output):
    html = "".join(output.get("data", {}).get("text/html", []))
    if output.get("output_type") != "display_data" or 'class="nbnet-progress"' not in html:
        return None
    match = re.search(r"<code>([^:<]*):", html)
    return match.group(1) if match else ""


def live(output):
    return output.get("output_type") == "display_data" and 'class="nbnet-live"' in "".join(output.get("data", {}).get("text/html", []))


def collapse(outputs):
    last_live = max((i for i, output in enumerate(outputs) if live(output)), default=-1)
    outputs = [output for i, output in enumerate(outputs) if not live(output) or i == last_live]
    kept = []
    for output in outputs:
        name = title(output)
        if name is not None and kept and title(kept[-1]) == name:
            kept[-1] = output
        else:
            kept.append(output)
    return kept


path = sys.argv[1]
with open(path, encoding="utf-8") as file:
    notebook = json.load(file)
ids = {cell["id"] for cell in notebook["cells"] if "id" in cell}
for index, cell in enumerate(notebook["cells"]):
    if cell.get("cell_type") == "code":
        cell["outputs"] = collapse(cell.get("outputs", []))
    if "id" not in cell:
        cell["id"] = f"cell-{index:02d}"
        while cell["id"] in ids:
            cell["id"] += "x"
        ids.add(cell["id"])
with open(path, "w", encoding="utf-8") as file:
    json.dump(notebook, file, indent=1, ensure_ascii=False)
    file.write("\n")
