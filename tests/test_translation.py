"""The Chinese course (notebooks/zh/, README.zh-CN.md) agrees with the English one.

The Chinese notebooks translate the markdown of 01-05 only. Their code cells and saved outputs are the English ones,
stamped by tools/stamp_zh.py, so nbval's strict run of the English notebooks is their evidence: it runs that same
code, in that same order, top to bottom in a fresh kernel as Colab's Run all does, and compares those same outputs.
Markdown runs nothing, so a Chinese notebook whose code cells equal the English ones runs to its end exactly as far
as the English one does; test_code_and_outputs_are_the_english_ones is that test, and no second execution is needed.
"""
import re
import subprocess
import sys

import pytest
from saved_notebooks import ROOT, load, sections, source

ZH = ROOT / "notebooks" / "zh"
COURSE = sorted((ROOT / "notebooks").glob("0[1-5]_*.ipynb"))
CJK = re.compile(r"[\u3400-\u9fff]")
# Terms Chinese learners search for: each must appear, with its English, where the glossary of 01 defines it.
GLOSSARY = ["叶子节点", "计算图", "版本计数器", "原地", "保存的张量", "反向传播函数", "切断反向传播"]


def markdown(path):
    return [source(cell) for cell in load(path)["cells"] if cell["cell_type"] == "markdown"]


def test_the_course_is_translated():
    assert sorted(path.name for path in ZH.glob("*.ipynb")) == [path.name for path in COURSE], \
        "notebooks/zh/ must hold a translation of each of 01-05, under the English file name"
    assert (ROOT / "README.zh-CN.md").is_file(), "README.zh-CN.md is missing"
    assert "README.zh-CN.md" in (ROOT / "README.md").read_text(encoding="utf-8").split("\n## ")[0], \
        "the English README links the Chinese one at its top"


def test_code_and_outputs_are_the_english_ones():
    check = subprocess.run([sys.executable, str(ROOT / "tools" / "stamp_zh.py"), "--check"],
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    for english in COURSE:
        chinese = ZH / english.name
        code = [cell for cell in load(english)["cells"] if cell["cell_type"] == "code"]
        assert [cell for cell in load(chinese)["cells"] if cell["cell_type"] == "code"] == code, chinese.name


@pytest.mark.parametrize("english", COURSE, ids=[path.name for path in COURSE])
def test_markdown_is_chinese_and_as_short(english):
    chinese = ZH / english.name
    untranslated = [text[:60] for text in markdown(chinese) if re.search(r"[A-Za-z]{4}", text) and not CJK.search(text)]
    assert not untranslated, f"{chinese.name}: markdown cells not translated: {untranslated}"
    words = sum(len(text.split()) for text in markdown(english))
    characters = sum(len(CJK.findall(text)) for text in markdown(chinese))
    # A Chinese reader takes in about twice as many characters a minute as an English reader takes in words.
    assert characters <= 2 * words, f"{chinese.name}: {characters} Chinese characters for {words} English words: " \
        "the Chinese course must be as short to read as the English one"


def test_the_glossary_gives_the_terms_learners_search_for():
    glossary = "\n".join(markdown(ZH / COURSE[0].name))
    missing = [term for term in GLOSSARY if term not in glossary]
    assert not missing, f"01's glossary lacks {missing}"


def test_links_between_the_chinese_notebooks_resolve():
    problems = []
    for path in [*ZH.glob("*.ipynb"), ROOT / "README.zh-CN.md"]:
        text = "\n".join(markdown(path)) if path.suffix == ".ipynb" else path.read_text(encoding="utf-8")
        for target in re.findall(r"\]\(((?!https?:)(?:[^()\s]|\([^()\s]*\))+)\)", text):
            name, _, anchor = target.partition("#")
            file = (path.parent / name).resolve() if name else path
            if not file.exists():
                problems.append(f"{path.name}: {target}: no such file")
            elif anchor and file.suffix == ".ipynb" and anchor not in sections(file):
                problems.append(f"{path.name}: {target}: no such heading")
    assert not problems, problems
