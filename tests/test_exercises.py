"""notebooks/12_exercises.ipynb ships blank, and its checks work: they accept the key's right answers and reject its
wrong ones, with a reason (the key: tests/exercise_answers.py)."""
import re

import nbformat
import pytest
from exercise_answers import ALSO_RIGHT, RIGHT, WRONG
from saved_notebooks import ROOT, execute, load, source, tags

EXERCISES = ROOT / "notebooks" / "12_exercises.ipynb"
BLANK = re.compile(r"(?:#[^\n]*\n)?answer_(\d+) = \.\.\.(?:\n#[^\n]*)?")  # optionally a comment line above or below
CHECK = re.compile(r"check_answer\((\d+), answer_(\d+)\)")
PROGRAM = re.compile(r"^def question_(\d+)\(\):", re.MULTILINE)
HOW_CLOSE = re.compile(r"of your \d+ names|Your one name|Your set is empty")  # how many names of a set are right


def stdout(cell):
    """What a code cell printed (saved notebooks hold text as a list of lines, nbclient as one string)."""
    return "".join("".join(output.get("text", "")) for output in cell.get("outputs", [])
                   if output.get("name") == "stdout")


def questions(cells):
    """For each question number, the indices of its program, answer and check cells."""
    found = {}
    for index, cell in enumerate(cells):
        if cell["cell_type"] != "code":
            continue
        text = source(cell)
        for kind, pattern in [("program", PROGRAM), ("check", CHECK)]:
            for match in pattern.finditer(text):
                found.setdefault(int(match.group(1)), {})[kind] = index
        if "answer" in tags(cell):
            number = re.match(r"(?:#[^\n]*\n)?answer_(\d+) =", text)
            assert number, f"cell {index} is tagged 'answer' but holds no `answer_N = ...`: {text!r}"
            found.setdefault(int(number.group(1)), {})["answer"] = index
    return found


def test_committed_notebook_is_blank_and_complete():
    cells = load(EXERCISES)["cells"]
    found = questions(cells)
    assert len(found) >= 20, f"{len(found)} questions; the exercises promise at least 20"
    assert sorted(found) == list(range(1, len(found) + 1)), f"questions are not numbered 1..n: {sorted(found)}"
    for number, parts in sorted(found.items()):
        assert set(parts) == {"program", "answer", "check"}, f"question {number} has only {sorted(parts)}"
        assert parts["program"] < parts["answer"] < parts["check"], f"question {number}: cells out of order"
        answer = source(cells[parts["answer"]])
        assert BLANK.fullmatch(answer) and answer.count("answer_") == 1, \
            f"question {number}: the committed answer cell must read `answer_{number} = ...`, not {answer!r}"
        check = source(cells[parts["check"]])
        assert check == f"check_answer({number}, answer_{number})", f"question {number}: check cell is {check!r}"
        saved = stdout(cells[parts["check"]])
        assert saved.startswith(f"Question {number}: no answer yet"), \
            f"question {number}: the saved check output should say 'no answer yet', not {saved!r}"
    assert set(RIGHT) == set(WRONG) == set(found), "tests/exercise_answers.py needs a right and a wrong answer " \
        f"for exactly the questions {sorted(found)}"
    assert all(RIGHT[number] != WRONG[number] for number in RIGHT), "a wrong answer equals the right one"


def shown(answer):
    """An answer as the notebook writes it back ("you said ...")."""
    if isinstance(answer, set | frozenset):
        return "{" + ", ".join(repr(item) for item in sorted(answer, key=str)) + "}"
    return repr(answer)


@pytest.fixture(scope="module")
def answered():
    """The notebook run once in a fresh kernel: with the right answers in its answer cells, then, after its last cell,
    each wrong answer, then each right answer in another form, put in its answer cell and its check run again, as a
    learner would."""
    notebook = nbformat.read(EXERCISES, as_version=4)
    found = questions(notebook.cells)
    for number, parts in found.items():
        notebook.cells[parts["answer"]].source = f"answer_{number} = {RIGHT[number]!r}"
    wrong_checks, other_checks = {}, {}
    for checks, answers in [(wrong_checks, WRONG), (other_checks, ALSO_RIGHT)]:
        for number in sorted(answers):
            notebook.cells.append(nbformat.v4.new_code_cell(f"answer_{number} = {answers[number]!r}"))
            notebook.cells.append(nbformat.v4.new_code_cell(f"check_answer({number}, answer_{number})"))
            checks[number] = len(notebook.cells) - 1
    execute(notebook)
    right = {number: stdout(notebook.cells[parts["check"]]) for number, parts in found.items()}
    wrong = {number: stdout(notebook.cells[index]) for number, index in wrong_checks.items()}
    other = {number: stdout(notebook.cells[index]) for number, index in other_checks.items()}
    return right, wrong, other


def test_right_answers_are_accepted(answered):
    right, _, other = answered
    refused = {number: said for number, said in sorted(right.items()) if not said.startswith("✓ right: ")}
    refused.update({f"{number} as {ALSO_RIGHT[number]!r}": said for number, said in sorted(other.items())
                    if not said.startswith("✓ right: ")})
    assert not refused, "the key's right answers are not accepted (tests/exercise_answers.py, or the program " \
        "changed):\n" + "\n".join(f"  question {number}: {said.strip()}" for number, said in refused.items())


def test_wrong_answers_are_rejected_with_a_reason(answered):
    """A ✗ says what was said, how close a set or a tuple came, where to see what the program does, and why; never
    the right answer."""
    _, wrong, _ = answered
    problems = []
    for number, said in sorted(wrong.items()):
        expected_start = f"✗ not quite: you said {shown(WRONG[number])}. "
        if not said.startswith(expected_start):
            problems.append(f"question {number}: {said.strip()!r} does not start {expected_start!r}")
        elif len(said[len(expected_start):].split()) < 8:
            problems.append(f"question {number}: no reason given: {said.strip()!r}")
        elif shown(RIGHT[number]) in said:
            problems.append(f"question {number}: the feedback gives the right answer away: {said.strip()!r}")
        elif f"question_{number}" not in said:
            problems.append(f"question {number}: the feedback does not say how to see what the program does: {said!r}")
        elif isinstance(RIGHT[number], set) and not HOW_CLOSE.search(said):
            problems.append(f"question {number}: the feedback does not say how many names are right: {said!r}")
    assert not problems, "\n".join(problems)
