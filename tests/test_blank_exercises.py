"""tools/blank_exercises.py: the student copy keeps every question and check, and gives no answer away."""
import json
import re
import subprocess
import sys

from saved_notebooks import ROOT, load, source, tags

EXERCISES = ROOT / "notebooks" / "12_exercises.ipynb"


def test_blank_copy_clears_answers_and_outputs(tmp_path):
    copy = tmp_path / "blank.ipynb"
    subprocess.run([sys.executable, str(ROOT / "tools" / "blank_exercises.py"), str(copy)], check=True,
                   capture_output=True)
    blank, full = json.loads(copy.read_text(encoding="utf-8")), load(EXERCISES)
    answer_cells = [cell for cell in blank["cells"] if "answer" in tags(cell)]
    assert len(answer_cells) == sum("answer" in tags(cell) for cell in full["cells"]) >= 10
    for cell in answer_cells:
        for line in source(cell).splitlines():
            if line.startswith("answer_"):
                assert re.fullmatch(r"answer_\d+ = \.\.\.  # your answer", line), f"answer left in the copy: {line}"
    assert all(not cell.get("outputs") and cell.get("execution_count") is None
               for cell in blank["cells"] if cell["cell_type"] == "code"), "the copy keeps saved outputs"
    assert not any("self-test" in tags(cell) for cell in blank["cells"]), "the self-test gives answers away"
    checks = [source(cell) for cell in full["cells"] if source(cell).startswith("check(")]
    assert checks and checks == [source(cell) for cell in blank["cells"] if source(cell).startswith("check(")]
