"""notebooks/12_exercises.ipynb ships blank, its saved outputs are what a fresh run prints, and its checks work: they
accept the key's right answers in every natural form and reject its wrong ones with a hint that gives nothing away,
and its source reveals no answer (the key: tests/exercise_answers.py).

This file replaces nbval's run of 12: the notebook is executed once, in one fresh kernel, and the outputs of its
committed cells are compared with the saved ones as strictly as nbval compares them (conftest.py leaves 12 out of
nbval's collection)."""
import copy
import itertools
import re
from collections import defaultdict

import nbformat
import pytest
from exercise_answers import ALSO_RIGHT, ALSO_WRONG, COURSE, EXPLANATIONS, NEAR, PART_1, RIGHT, WRONG, WRONG_FORM, shown
from nbval.plugin import coalesce_streams
from saved_notebooks import ROOT, execute, load, source, tags

EXERCISES = ROOT / "notebooks" / "12_exercises.ipynb"
BLANK = re.compile(r"(?:#[^\n]*\n)?answer_(\d+) = \.\.\.(?:\n#[^\n]*)?")  # optionally a comment line above or below
CHECK = re.compile(r"check_answer\((\d+), answer_(\d+)\)")
PROGRAM = re.compile(r"^def question_(\d+)\(\):", re.MULTILINE)
HOW_CLOSE = re.compile(r"of your \d+ names|Your one name|Your set is empty")  # how many names of a set are right
HINT = re.compile(r"Hint: (.*?) To see what the program does")
NOTEBOOKS = re.compile(r"\b(?:0[1-9]|1[0-4])\b")  # a notebook named by its number
POINTER = re.compile(r"\(notebooks? ([^)]*)\)")  # "(notebook 05)" after a heading or an explanation
FORM_SAID = re.compile(r" The question asks for (.*?)\. Hint: ")  # a wrong form's feedback
ASKED = re.compile(r"\*Answer:\* (.*?)\.?\Z", re.DOTALL)  # a question's "*Answer:*" line, to its end

# What nbval compares: every output field but these (its skip_compare, with image/png and image/jpeg as without
# --nbdime), each string after the rewrites of nbval_sanitize.cfg, read as nbval reads it.
NOT_COMPARED = {"metadata", "traceback", "prompt_number", "output_type", "name", "execution_count",
                "application/vnd.jupyter.widget-view+json", "image/png", "image/jpeg"}
SANITIZE = re.findall(r"^regex: (.*)$\n^replace: (.*)$", (ROOT / "nbval_sanitize.cfg").read_text(), re.MULTILINE)


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


def compared(outputs):
    """A cell's outputs as nbval compares them: streams of one name joined, each field's values in order."""
    fields = defaultdict(list)
    for output in coalesce_streams(copy.deepcopy(outputs)):
        if output.output_type == "stream":
            output = {output.name: output.text}
        for key, value in output.items():
            for field, text in (value.items() if key == "data" else [(key, value)]):
                if field not in NOT_COMPARED:
                    for pattern, replacement in SANITIZE:
                        text = re.sub(pattern, replacement, text) if isinstance(text, str) else text
                    fields[field].append(text)
    return dict(fields)


def ignored(cell):
    return "NBVAL_IGNORE_OUTPUT" in cell.source or "nbval-ignore-output" in tags(cell)


def forms(groups):
    """(form, question, source) for each answer of ALSO_RIGHT or ALSO_WRONG."""
    return [(form, number, typed) for form, answers in groups.items() for number, typed in answers]


MARKER = "<<< appended check {} >>>"


@pytest.fixture(scope="module")
def run():
    """The notebook executed once in a fresh kernel: its cells as committed (blank answers), then, after its last
    cell, as a learner would, each right answer put in its answer variable and its check run, then each wrong one,
    each answer of another form, and show_answer for each question. The saved notebook, the fresh one, and the output
    of each appended check. The appended checks share one cell, each preceded by a marker line: a kernel round trip
    per check would cost more than all the checks."""
    saved = nbformat.read(EXERCISES, as_version=4)
    fresh = copy.deepcopy(saved)
    for cell in fresh.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    keys, lines = [], []

    def append(key, *sources):
        lines.extend([f"print({MARKER.format(len(keys))!r})", *sources])
        keys.append(key)

    for kind, answers in [("right", RIGHT), ("wrong", WRONG)]:
        for number in sorted(answers):
            append((kind, number), f"answer_{number} = {answers[number]!r}", f"check_answer({number}, answer_{number})")
    for kind, groups in [("also right", ALSO_RIGHT), ("also wrong", ALSO_WRONG)]:
        for form, number, typed in forms(groups):
            append((kind, form, number, typed), f"answer_{number} = {typed}",
                   f"check_answer({number}, answer_{number})")
    for number in sorted(RIGHT):
        append(("shown", number), f"show_answer({number})")
    fresh.cells.append(nbformat.v4.new_code_cell("\n".join(lines)))
    execute(fresh)
    pieces = re.split(r"^" + re.escape(MARKER).replace(r"\{\}", r"\d+") + r"\n", stdout(fresh.cells[-1]),
                      flags=re.MULTILINE)[1:]
    assert len(pieces) == len(keys), f"{len(keys)} checks appended, {len(pieces)} outputs read"
    return saved, fresh, dict(zip(keys, pieces, strict=True))


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
    assert set(RIGHT) == set(WRONG) == set(EXPLANATIONS) == set(found), "tests/exercise_answers.py needs a right " \
        f"and a wrong answer and an explanation for exactly the questions {sorted(found)}"
    assert all(RIGHT[number] != WRONG[number] for number in RIGHT), "a wrong answer equals the right one"


def test_saved_outputs_are_a_fresh_run(run):
    """What nbval's strict run checked: every code cell runs without an exception (execute stops at one), and prints
    what it saved, every output of every cell compared but the set-up cell's (NBVAL_IGNORE_OUTPUT)."""
    saved, fresh, _ = run
    code = [(index, old, new) for index, (old, new) in enumerate(zip(saved.cells, fresh.cells[:len(saved.cells)],
                                                                     strict=True)) if old.cell_type == "code"]
    assert [index for index, old, _ in code if ignored(old)] == [code[0][0]], \
        "only the set-up cell, the first code cell, may leave its output uncompared (NBVAL_IGNORE_OUTPUT)"
    differing = []
    for index, old, new in code[1:]:
        before, after = compared(old.outputs), compared(new.outputs)
        if before != after:
            field = next(key for key in sorted(set(before) | set(after)) if before.get(key) != after.get(key))
            differing.append(f"cell {index}, {field}:\n  saved: {before.get(field)!r:.300}\n  now:   "
                             f"{after.get(field)!r:.300}")
    assert not differing, "saved outputs differ from a fresh run; re-record it in one clean run: ./run.sh record " \
        "notebooks/12_exercises.ipynb\n" + "\n".join(differing)


def test_right_answers_are_accepted_with_the_explanation(run):
    _, _, said = run
    wrong = {number: said[("right", number)] for number in sorted(RIGHT)
             if said[("right", number)] != f"✓ right: {EXPLANATIONS[number]}\n"}
    assert not wrong, "the key's right answers are not accepted with their explanation (tests/exercise_answers.py, " \
        "the encoded explanations, or the program changed):\n" + \
        "\n".join(f"  question {number}: {text.strip()}" for number, text in wrong.items())


@pytest.mark.parametrize("form", ALSO_RIGHT)
def test_natural_forms_are_accepted(run, form):
    """Each form of ALSO_RIGHT (values as a tensor or a tuple, RuntimeError or a word for raises, a set as a list in
    another order, a number as a string, ...) is accepted."""
    _, _, said = run
    refused = [f"question {number}, answer_{number} = {typed}: {said[('also right', form, number, typed)].strip()}"
               for number, typed in ALSO_RIGHT[form]
               if not said[("also right", form, number, typed)].startswith("✓ right: ")]
    assert not refused, f"{form}: a right answer is refused:\n" + "\n".join(refused)


@pytest.mark.parametrize("form", ALSO_WRONG)
def test_wrong_answers_in_natural_forms_are_rejected(run, form):
    _, _, said = run
    accepted = [f"question {number}, answer_{number} = {typed}"
                for number, typed in ALSO_WRONG[form]
                if not said[("also wrong", form, number, typed)].startswith("✗ not quite: you said ")]
    assert not accepted, f"{form}: a wrong answer is not rejected:\n" + "\n".join(accepted)


def test_wrong_answers_are_rejected_with_a_hint(run):
    """A ✗ says what was said, how close a set or a tuple came, a hint that is not the explanation, and how to see
    what the program does; never the right answer."""
    _, _, said = run
    problems = []
    for number in sorted(WRONG):
        text = said[("wrong", number)]
        expected_start = f"✗ not quite: you said {shown(WRONG[number])}. "
        hint = HINT.search(text)
        if not text.startswith(expected_start):
            problems.append(f"question {number}: {text.strip()!r} does not start {expected_start!r}")
        elif not hint or len(hint.group(1).split()) < 8:
            problems.append(f"question {number}: no hint of 8 words or more: {text.strip()!r}")
        elif shown(RIGHT[number]) in text:
            problems.append(f"question {number}: the feedback gives the right answer away: {text.strip()!r}")
        elif any(piece in text for piece in pieces(EXPLANATIONS[number])):
            problems.append(f"question {number}: the hint repeats the explanation of the right answer: {text!r}")
        elif f"question_{number}" not in text or f"show_answer({number})" not in text:
            problems.append(f"question {number}: the feedback does not say how to see what the program does and "
                            f"how to ask for the answer: {text!r}")
        elif isinstance(RIGHT[number], set) and not HOW_CLOSE.search(text):
            problems.append(f"question {number}: the feedback does not say how many names are right: {text!r}")
        elif "missing" in text:
            problems.append(f"question {number}: saying how many names are missing, beside how many are right, "
                            f"lets a student find the answer by elimination: {text!r}")
        elif "4 decimals" in text:
            problems.append(f"question {number}: a far answer is told to give 4 decimals: {text!r}")
    assert not problems, "\n".join(problems)


def test_a_wrong_form_is_named_without_the_answer(run):
    """An answer in a form its question does not ask for (a name where a tuple of three is asked, a number where a set
    of names is) is told the form asked for, in the words of the question's *Answer:* line, before the hint; an
    answer in that form (each of the key's wrong answers) is not. Neither feedback gives the answer away: outside the
    form, which names the choices ("raises", None), no right answer and no piece of its explanation."""
    _, _, said = run
    cells = load(EXERCISES)["cells"]
    asked = {number: ASKED.search(source(cells[where["program"] - 1])).group(1).replace("`", "")
             for number, where in questions(cells).items()}
    lacking = set(RIGHT) - {number for number, _ in ALSO_WRONG[WRONG_FORM]}
    problems = [f"{WRONG_FORM}: questions {sorted(lacking)} have no answer in another form"] if lacking else []
    for number, typed in ALSO_WRONG[WRONG_FORM]:
        text = said[("also wrong", WRONG_FORM, number, typed)]
        form = FORM_SAID.search(text)
        rest = FORM_SAID.sub(" Hint: ", text)
        if not form:
            problems.append(f"question {number}, answer_{number} = {typed}: the form asked for is not named: "
                            f"{text.strip()!r}")
        elif form.group(1) != asked[number]:
            problems.append(f"question {number}: the feedback asks for {form.group(1)!r}, the question for "
                            f"{asked[number]!r}")
        elif gives_away(number, rest):
            problems.append(f"question {number}, answer_{number} = {typed}: the feedback gives the answer away: "
                            f"{text.strip()!r}")
    problems += [f"question {number}: {shown(WRONG[number])} has the form asked for, yet the feedback says it has "
                 f"not: {said[('wrong', number)].strip()!r}" for number in sorted(WRONG)
                 if "The question asks for" in said[("wrong", number)]]
    assert not problems, "\n".join(problems)


def test_close_values_are_asked_for_4_decimals(run):
    """A value within 0.01 of the program's, but not to 4 decimals, is rejected with "give 4 decimals", and the
    feedback after what the student said holds neither the right value nor the explanation."""
    _, _, said = run
    problems = []
    for number, typed in ALSO_WRONG[NEAR]:
        text = said[("also wrong", NEAR, number, typed)]
        after = text.split(". ", 1)[-1] if text.startswith("✗ not quite: you said ") else text
        if "give 4 decimals" not in text:
            problems.append(f"question {number}, answer_{number} = {typed}: no 'give 4 decimals': {text.strip()!r}")
        elif gives_away(number, after):
            problems.append(f"question {number}, answer_{number} = {typed}: the feedback gives the answer away: "
                            f"{text.strip()!r}")
    assert not problems, "\n".join(problems)


def test_part_1_needs_only_the_course():
    """Questions 1-15 sit under "Part 1 · The course" and name only the course's notebooks (01-05 and 11), in their
    heading, their hint and their explanation; 16-21 sit under "Part 2", with the reference notebooks."""
    cells = load(EXERCISES)["cells"]
    found = questions(cells)
    parts = [index for index, cell in enumerate(cells) if cell["cell_type"] == "markdown"
             and source(cell).startswith(("## Part 1 · The course", "## Part 2 · With the reference notebooks"))]
    assert len(parts) == 2, "the notebook needs a '## Part 1 · The course' and a '## Part 2 · With the reference " \
        "notebooks' heading, in that order"
    checking = next(source(cell) for cell in cells if "HINT = {" in source(cell))
    hints = dict(re.findall(r"^ +(\d+): (\"[^\n]*(?:\n +\"[^\n]*)*),\n", checking, re.MULTILINE))
    problems = []
    for number, where in sorted(found.items()):
        in_part_1 = parts[0] < where["program"] < parts[1]
        if in_part_1 != (number in PART_1):
            problems.append(f"question {number} is in Part {1 if in_part_1 else 2}, the key says otherwise")
        if number not in PART_1:
            continue
        heading = source(cells[where["program"] - 1]).split("\n")[0]
        for what, text in [("heading", " ".join(POINTER.findall(heading))), ("hint", hints.get(str(number), "")),
                           ("explanation", " ".join(POINTER.findall(EXPLANATIONS[number])))]:
            outside = set(NOTEBOOKS.findall(text)) - set(COURSE)
            if outside or not NOTEBOOKS.search(text):
                problems.append(f"question {number}'s {what} names {sorted(outside) or 'no notebook'}: {text!r}")
    assert not problems, "Part 1 must be answerable from the course alone:\n" + "\n".join(problems)


def test_show_answer_gives_the_answer_and_why(run):
    _, _, said = run
    problems = [f"question {number}: {said[('shown', number)]!r}" for number in sorted(RIGHT)
                if f"Answer: {shown(RIGHT[number])}\nWhy: {EXPLANATIONS[number]}\n" not in said[("shown", number)]]
    assert not problems, "show_answer(N) does not print the key's answer and explanation:\n" + "\n".join(problems)


def pieces(explanation):
    """The parts of an explanation between punctuation that are long enough (5 words) to be its own."""
    return [piece.strip() for piece in re.split(r"[.;:,()]\s", explanation) if len(piece.split()) >= 5]


def gives_away(number, text):
    """Whether feedback holds question `number`'s right answer or a piece of its explanation."""
    return shown(RIGHT[number]) in text or any(piece in text for piece in pieces(EXPLANATIONS[number]))


def spellings(answer):
    """The ways an answer could be written as a Python literal: either quotes, a set's names in any order."""
    if isinstance(answer, set):
        written = ["{" + ", ".join(map(repr, order)) + "}" for order in itertools.permutations(sorted(answer))]
    else:
        written = [repr(answer)]
    return {text for form in written for text in (form, form.replace("'", '"'))}


def test_source_reveals_no_answer():
    """Neither an explanation (any 5-word piece of one) nor a right answer as a literal is in the notebook's JSON, nor
    in its text with the JSON escapes undone. Answers that are a word the questions offer ("raises", "silently
    wrong"), None or a whole number are left out: the notebook names them as choices or uses them anyway."""
    raw = EXERCISES.read_text(encoding="utf-8")
    notebook = load(EXERCISES)
    text = "\n".join(source(cell) + "\n" + "".join(stdout(cell)) for cell in notebook["cells"])
    found = [f"question {number}'s explanation: {piece!r}" for number, explanation in sorted(EXPLANATIONS.items())
             for piece in pieces(explanation) if piece in raw or piece in text]
    found += [f"question {number}'s answer: {written}" for number, answer in sorted(RIGHT.items())
              if not isinstance(answer, str | int | type(None))
              for written in spellings(answer) if written in raw or written in text]
    assert not found, "the notebook's source gives answers away:\n" + "\n".join(found)
