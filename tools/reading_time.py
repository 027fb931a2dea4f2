"""The README's reading times: a learner's pace, calibrated on cold reads, applied to what a notebook asks.

    python tools/reading_time.py [notebooks]      (all English notebooks by default)

A learner who knows one PyTorch tutorial reads every word, writes a prediction for each question before running,
runs every cell and studies each picture. Cold reads at that pace took 85 minutes for the earlier core path (01-05:
3,054 markdown words, 55 visible code cells, 297 lines, 17 questions, 7 pictures), about 50 for the earlier 11 and
about 60 for the earlier 12. This pace reproduces all three within 1.5 minutes, and two cold reads of the current
notebooks used it: minutes = markdown words / 120 + 15 s per visible code cell + 4 s per visible code line + 1 min
per question (a prediction, or an exercise) + 1.5 min per picture. Folded cells (`# @title`) are not read.
"""
import json
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent


def counts(path):
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    text = ["".join(cell["source"]) for cell in cells]
    markdown = [source for cell, source in zip(cells, text, strict=True) if cell["cell_type"] == "markdown"]
    visible = [source for cell, source in zip(cells, text, strict=True) if cell["cell_type"] == "code"
               and not source.startswith("# @title ")]
    questions = sum(len(re.findall(r"^\d+\.", source, re.MULTILINE)) for source in markdown
                    if source.lstrip().startswith("## Predict"))
    questions += sum(len(re.findall(r"^### Question \d+", source, re.MULTILINE)) for source in markdown)
    pictures = sum("image/svg+xml" in output.get("data", {}) for cell in cells for output in cell.get("outputs", []))
    return {"words": sum(len(source.split()) for source in markdown), "cells": len(visible),
            "lines": sum(len(source.splitlines()) for source in visible), "questions": questions, "pictures": pictures}


def minutes(count):
    return (count["words"] / 120 + count["cells"] * 15 / 60 + count["lines"] * 4 / 60 + count["questions"]
            + count["pictures"] * 1.5)


def main():
    paths = [pathlib.Path(arg) for arg in sys.argv[1:]] or sorted((ROOT / "notebooks").glob("[0-9]*.ipynb"))
    print(f"{'notebook':42} {'words':>6} {'cells':>6} {'lines':>6} {'questions':>9} {'pictures':>8} {'minutes':>8}")
    for path in paths:
        count = counts(path)
        print(f"{path.stem:42} {count['words']:6} {count['cells']:6} {count['lines']:6} {count['questions']:9} "
              f"{count['pictures']:8} {minutes(count):8.0f}")


if __name__ == "__main__":
    main()
