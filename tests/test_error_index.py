"""The README's error index (tools/error_index.py): current, every message still printed, every link live, and each
message a notebook prints found in exactly one row."""
import subprocess
import sys

from saved_notebooks import NOTEBOOKS, ROOT, load

sys.path.insert(0, str(ROOT / "tools"))
import error_index  # noqa: E402

FIX = "run python tools/error_index.py (after ./run.sh record, which saves the outputs it reads)"


def index_rows():
    return error_index.rows(error_index.region((ROOT / "README.md").read_text(encoding="utf-8")))


def test_index_matches_notebooks():
    check = subprocess.run([sys.executable, str(ROOT / "tools" / "error_index.py"), "--check"],
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr


def test_every_message_is_in_a_saved_output():
    printed = "\n".join("\n".join(error_index.stdout_lines(cell)) for path in NOTEBOOKS for cell in load(path)["cells"])
    gone = sorted({shown for messages, _, _ in index_rows() for shown in messages
                   if not error_index.pattern_regex(shown).search(printed)})
    assert not gone, f"the error index lists messages no notebook prints any more: {gone}; {FIX}"


def test_every_link_finds_its_heading():
    broken = []
    for _, _, links in index_rows():
        for link in links:
            path, _, fragment = link.partition("#")
            if not (ROOT / path).is_file():
                broken.append(f"{link}: no notebook {path}")
            elif fragment not in {error_index.href_fragment(anchor) for anchor in error_index.anchors(ROOT / path)}:
                broken.append(f"{link}: no heading with this anchor in {path}")
    assert not broken, "; ".join(sorted(set(broken))) + f"; {FIX}"


def test_each_printed_message_is_in_one_row():
    """A reader who pastes a message the notebooks print finds one row: not none, not two that compete."""
    rows = index_rows()
    problems = []
    for entry in error_index.collect(NOTEBOOKS):
        printed = f"{entry.kind}: {entry.message.splitlines()[0]}"
        short = f"{entry.kind}: {entry.pattern}" + (f" … {entry.key}" if entry.key else "")
        found = [number for number, (messages, _, links) in enumerate(rows)
                 if any(error_index.pattern_regex(shown).match(printed) for shown in messages)]
        if len(found) != 1:
            problems.append(f"{entry.link_text}: {short!r} is in {len(found)} rows")
        elif not 1 <= len(rows[found[0]][2]) <= error_index.MOST_LINKS:
            problems.append(f"{short!r}: its row has {len(rows[found[0]][2])} links")
    assert not problems, "; ".join(sorted(set(problems))) + f"; {FIX}"
