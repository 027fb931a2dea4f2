"""Write a student copy of notebooks/12_exercises.ipynb with the answers cleared.

    python tools/blank_exercises.py [OUTPUT]     (default: 12_exercises_blank.ipynb in the current directory)

In the copy:
- in every code cell tagged `answer`, each line `answer_N = ...` becomes `answer_N = ...  # your answer`,
  so the check cells print "no answer yet" until the student fills it in;
- the "Checking the checks" section is left out: its code cell is tagged `self-test`, its markdown cell
  holds the comment `<!-- self-test`. Its wrong answers would give the right ones away, and its
  assertions expect the filled-in answers;
- every output and execution count is cleared.
Keep the copy outside notebooks/, where the tests would pick it up and find it unrecorded.
"""
import json
import pathlib
import re
import sys

SOURCE = pathlib.Path(__file__).resolve().parent.parent / "notebooks" / "12_exercises.ipynb"
ANSWER_LINE = re.compile(r"^(answer_\d+)\s*=.*$", re.MULTILINE)
SELF_TEST_MARKER = "<!-- self-test"


def text(source):
    return "".join(source) if isinstance(source, list) else source


def is_self_test(cell):
    if cell["cell_type"] == "markdown":
        return SELF_TEST_MARKER in text(cell["source"])
    return "self-test" in cell.get("metadata", {}).get("tags", [])


def blank(notebook):
    cells = []
    for cell in notebook["cells"]:
        if is_self_test(cell):
            continue
        if cell["cell_type"] == "code":
            if "answer" in cell.get("metadata", {}).get("tags", []):
                cleared, count = ANSWER_LINE.subn(r"\1 = ...  # your answer", text(cell["source"]))
                if count == 0:
                    sys.exit(f"a cell tagged 'answer' has no line 'answer_N = ...':\n{text(cell['source'])}")
                cell["source"] = cleared.splitlines(keepends=True)
            cell["outputs"] = []
            cell["execution_count"] = None
        cells.append(cell)
    notebook["cells"] = cells
    return notebook


def main():
    output = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "12_exercises_blank.ipynb")
    notebook = blank(json.loads(SOURCE.read_text(encoding="utf-8")))
    answers = sum("answer" in cell.get("metadata", {}).get("tags", []) for cell in notebook["cells"])
    output.write_text(json.dumps(notebook, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"{output}: {answers} answers cleared, the self-test section left out")
    return 0


if __name__ == "__main__":
    sys.exit(main())
