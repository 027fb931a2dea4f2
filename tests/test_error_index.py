"""The README's error index, a hand-kept table, checked against the saved notebooks: every message a notebook prints
is in exactly one row, every row's message is still printed, and every link leads to a heading whose section
prints that message. The Chinese README's index has the same rows, linking the Chinese notebooks where they exist.

How a row's message column reads (the README says it to readers in one line): code spans are fragments of the
message, in order; alternatives are separated by ` or ` or `, `. A first fragment followed by ` … ` begins every
alternative of its row, and a column that starts with `…` continues the first fragment of the row above (the rows of
the version-counter error, one per kind of changed tensor).
In a fragment, `<n>`, `<type>`, `<shape>` and `<op>` stand for a number, a tensor type, a shape and an operation,
and `…` for any text. The symptoms table matches the lines `⚠ symptom: …` that notebooks print.
"""
import re

import pytest
from saved_notebooks import NOTEBOOKS, ROOT, load, sections

START, END = "<!-- error-index:start -->", "<!-- error-index:end -->"
PLACEHOLDERS = {"<n>": r"\d+", "<type>": r"\S+", "<shape>": r"[\d, ]*", "<op>": r"[\w:]+", "…": r".*?"}
# An error or a warning as outcome(), expect_error() and expect_warning() print it (SavedTensorChanged is the error of
# 13's guard, which a reader meets in their own code), and a silent symptom as symptom() prints it.
PRINTED = re.compile(r"^(?:[A-Z]\w*(?:Error|Warning|Exception)|SavedTensorChanged): .*|^⚠ symptom: .*", re.MULTILINE)
INDEXES = {"README.md": "notebooks", "README.zh-CN.md": "notebooks/zh"}


def printed_lines(cells):
    """(message, symptom?) for the first line of each error, warning and symptom these cells printed on stdout."""
    text = "".join("".join(output.get("text", "")) for cell in cells for output in cell.get("outputs", [])
                   if output.get("name") == "stdout")
    return [(line.removeprefix("⚠ symptom: "), line.startswith("⚠ symptom: ")) for line in PRINTED.findall(text)]


def fragments(span):
    """The regex of one code span, its placeholders replaced."""
    parts = re.split("(" + "|".join(map(re.escape, PLACEHOLDERS)) + ")", span)
    return "".join(PLACEHOLDERS.get(part, re.escape(part)) for part in parts)


def spans(text):
    return re.findall(r"`([^`]+)`", text)


def rows(readme):
    """Each row of an index: (its message column, the regexes of its alternatives, its link targets, symptom row?)."""
    text = (ROOT / readme).read_text(encoding="utf-8")
    assert START in text and END in text, f"{readme} has no {START} … {END} region"
    found, head, symptoms = [], None, False
    for line in text.split(START)[1].split(END)[0].splitlines():
        if re.match(r"\| *(symptom|message|症状|报错信息)", line):
            symptoms = bool(re.match(r"\| *(symptom|症状)", line))
            continue
        columns = [column.strip() for column in re.split(r"(?<!\\)\|", line)[1:-1]]
        if len(columns) != 3 or set(columns[0]) <= set("-: "):
            continue
        shown, _, links = columns
        if shown.startswith("…"):  # the first fragment of the row above, then this row's own
            tail = shown.removeprefix("…").strip()
        elif "` … `" in shown:  # a first fragment that every alternative after it continues
            first, tail = shown.split(" … ", 1)
            head = fragments(spans(first)[0])
        else:
            head, tail = None, shown
        alternatives = []
        for alternative in re.split(r"(?<=`) (?:or|或) (?=`)|(?<=`), (?=`)", tail):
            pieces = [fragments(span) for span in spans(alternative)]
            alternatives.append(r".*?".join([head, *pieces] if head else pieces))
        targets = re.findall(r"\]\(((?:[^()\s]|\([^()\s]*\))+)\)", links)
        found.append((shown, [re.compile(pattern) for pattern in alternatives], targets, symptoms))
    assert found, f"{readme}: no rows in its error index"
    return found


def matching(rows_, line, symptom):
    return [number for number, (_, patterns, _, is_symptom) in enumerate(rows_)
            if is_symptom == symptom and any(pattern.match(line) for pattern in patterns)]


def shown_messages():
    """(notebook, message line, symptom?) for every error, warning and symptom the saved notebooks print."""
    for path in NOTEBOOKS:
        for line, symptom in printed_lines(load(path)["cells"]):
            yield path.name, line, symptom


@pytest.fixture(scope="module", params=sorted(INDEXES))
def index(request):
    readme = request.param
    if not (ROOT / readme).exists():
        pytest.fail(f"{readme} is missing")
    return readme, rows(readme)


def test_each_printed_message_is_in_exactly_one_row(index):
    readme, found = index
    problems = sorted({f"{name}: {line[:90]!r} is in {len(matching(found, line, symptom))} rows"
                       for name, line, symptom in shown_messages() if len(matching(found, line, symptom)) != 1})
    assert not problems, f"{readme}: a reader who pastes these messages finds no row, or rows that compete; " \
        "add or narrow a row:\n" + "\n".join(problems)


def test_every_row_is_still_printed(index):
    readme, found = index
    lines = list(shown_messages())
    stale = [shown for shown, patterns, _, symptom in found for pattern in patterns
             if not any(is_symptom == symptom and pattern.match(line) for _, line, is_symptom in lines)]
    assert not stale, f"{readme}: rows (or alternatives of a row) that no notebook prints any more: {stale}"


def test_every_link_leads_to_a_section_that_shows_the_message(index):
    readme, found = index
    problems = []
    for shown, patterns, targets, symptom in found:
        assert targets, f"{readme}: the row {shown!r} links nowhere"
        for target in targets:
            path, _, anchor = target.partition("#")
            notebook = ROOT / path
            if not notebook.is_file():
                problems.append(f"{target}: no such notebook")
                continue
            section = sections(notebook).get(anchor.replace("%20", " "))
            if section is None:
                problems.append(f"{target}: no heading with this anchor")
            elif not any(pattern.match(line) for pattern in patterns for line, is_symptom in printed_lines(section)
                         if is_symptom == symptom):
                problems.append(f"{target}: this section does not show {shown!r}")
    assert not problems, f"{readme}:\n" + "\n".join(problems)


def test_the_chinese_index_has_the_rows_of_the_english_one():
    english, chinese = rows("README.md"), rows("README.zh-CN.md")
    assert [row[0] for row in chinese] == [row[0] for row in english], \
        "README.zh-CN.md's error index must list the same messages, in the same order, as README.md's"
    for (shown, _, english_targets, _), (_, _, chinese_targets, _) in zip(english, chinese, strict=True):
        english_notebooks = sorted({target.partition("#")[0].rpartition("/")[2] for target in english_targets})
        chinese_notebooks = sorted({target.partition("#")[0].rpartition("/")[2] for target in chinese_targets})
        assert chinese_notebooks == english_notebooks, f"{shown!r}: links {chinese_notebooks}, in English " \
            f"{english_notebooks}"
        for target in chinese_targets:
            translated = (ROOT / "notebooks" / "zh" / target.partition("#")[0].rpartition("/")[2]).exists()
            assert target.startswith("notebooks/zh/") == translated, f"{shown!r}: {target} should link the " + \
                ("Chinese" if translated else "English") + " notebook"
