"""Puts back, into a notebook that dotnet-repl has run and written out, the cells' sources as they were before the run.

A run adds outputs and must change no source, but dotnet-repl's writer now and then breaks a character of several
bytes in a cell's source into replacement characters (U+FFFD): "Wᵀ" came back as three of them, an ellipsis as two.
So each cell's source is taken from the notebook as it was, cell by cell, and the run's notebook is refused, naming the
cell, if the cells do not match one to one or an output holds a replacement character.

    python3 keep-sources.py BEFORE.ipynb RUN.ipynb   (RUN.ipynb is rewritten in place)
"""
import json
import sys

REPLACEMENT = "\ufffd"


def main(before_path, run_path):
    with open(before_path, encoding="utf-8") as f:
        before = json.load(f)
    with open(run_path, encoding="utf-8") as f:
        run = json.load(f)
    if len(before["cells"]) != len(run["cells"]):
        sys.exit(f"{run_path}: {len(run['cells'])} cells after the run, {len(before['cells'])} before")
    for index, (old, new) in enumerate(zip(before["cells"], run["cells"])):
        if old["cell_type"] != new["cell_type"]:
            sys.exit(f"{run_path}: cell {index} was {old['cell_type']}, came back {new['cell_type']}")
        new["source"] = old["source"]
        if REPLACEMENT in json.dumps(new.get("outputs", []), ensure_ascii=False):
            sys.exit(f"{run_path}: cell {index}'s outputs hold a replacement character (U+FFFD): a broken character")
    with open(run_path, "w", encoding="utf-8") as f:
        json.dump(run, f, ensure_ascii=False, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
