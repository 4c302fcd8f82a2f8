"""The reading order: one chain of "Read next:" sentences through every module.

Each module's docstring ends by naming the file to read next, in one format:

    Read next: tinygrad_edu/engine/tensor.py (the same idea over whole arrays).

that is, the words "Read next:" and a path from the repository root, optionally
followed by a gloss. The last module says instead "This is the last file of the
reading order." Starting from tinygrad_edu/engine/autograd.py and following those
sentences must visit every module of tinygrad_edu/, augment/ and explain/
exactly once (no cycle, no name that is not a module, nothing left out), and
the README's "Reading order" section must list the same files in the same order.

The folders are the chapters: the modules below any folder form one unbroken
stretch of the chain, so a reader finishes a folder before the next begins.
Each module stays short enough to read as one idea (at most 450 lines, with a
docstring of at most 20 lines).

Modules are found by listing the package folders, so a new file fails these
tests until some module's "Read next:" points at it (and the README lists it).
Docstrings are read with ast: nothing is imported.
"""
import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("tinygrad_edu", "augment", "explain")
START = "tinygrad_edu/engine/autograd.py"
READ_NEXT = re.compile(r"Read next: ([\w/]+\.py)")
END = "This is the last file of the reading order."
# The old, free-form ways of saying it ("Read tensor.py next", "read ../training.py next").
OTHER_PHRASINGS = re.compile(r"\bread +(?!next\b)[\w./]+\s+next\b", re.IGNORECASE)

# Deliberately not on the chain. Every package's __init__.py is its folder's table of
# contents (it lists the files of the folder), not a chapter.
NOT_ON_THE_CHAIN = {
    "tinygrad_edu/micrograd/engine.py": "re-exports value.py under micrograd's import path",
    "tinygrad_edu/micrograd/nn.py": "re-exports value.py under micrograd's import path",
    "explain/__main__.py": "the `python -m explain` entry point; the command line is explain/report/cli.py",
}
MAX_MODULE_LINES = 450
MAX_DOCSTRING_LINES = 20


def all_modules():
    """Every .py file of the three packages, as a path from the repository root."""
    return sorted(path.relative_to(ROOT).as_posix()
                  for package in PACKAGES for path in (ROOT / package).rglob("*.py")
                  if "__pycache__" not in path.parts)


def chapters():
    """The modules that must be on the chain."""
    return [module for module in all_modules()
            if Path(module).name != "__init__.py" and module not in NOT_ON_THE_CHAIN]


def docstring(module):
    return ast.get_docstring(ast.parse((ROOT / module).read_text(encoding="utf-8"))) or ""


def next_module(module):
    """The path named by the module's "Read next:", or None at the end of the chain."""
    names = READ_NEXT.findall(docstring(module))
    return names[0] if names else None


def follow_chain():
    """[START, next, next of next, ...] until the end; stops with an error on a cycle or a dangling name."""
    known = set(all_modules())
    chain = [START]
    while True:
        following = next_module(chain[-1])
        if following is None:
            return chain
        assert following in known, (
            f'{chain[-1]} says "Read next: {following}", which is not a module of {PACKAGES} '
            "(a renamed or split file? name the new one, as a path from the repository root)")
        assert following not in chain, (
            "the reading order has a cycle: " + " -> ".join(chain[chain.index(following):] + [following]))
        chain.append(following)


def test_every_chapter_exists_and_the_exceptions_are_real_files():
    assert START in chapters()
    missing = [module for module in NOT_ON_THE_CHAIN if not (ROOT / module).exists()]
    assert not missing, f"NOT_ON_THE_CHAIN names files that no longer exist: {missing}"


def test_every_module_names_what_to_read_next_in_the_one_format():
    problems = []
    for module in chapters():
        text = docstring(module)
        names = READ_NEXT.findall(text)
        ends = text.count(END)
        if not text:
            problems.append(f"{module}: no module docstring")
        elif len(names) + ends != 1:
            problems.append(f"{module}: needs exactly one 'Read next: <path>.py' or '{END}', "
                            f"found {len(names)} and {ends}")
        stray = OTHER_PHRASINGS.findall(text.replace(END, ""))
        if stray:
            problems.append(f"{module}: say it as 'Read next: <path from the repository root>', not {stray}")
    assert not problems, "\n".join(problems)


def test_exactly_one_module_ends_the_reading_order():
    enders = [module for module in chapters() if END in docstring(module)]
    assert len(enders) == 1, f"expected one module saying '{END}', found {enders}"


def test_the_chain_from_autograd_visits_every_module_once():
    chain = follow_chain()
    assert END in docstring(chain[-1]), f"the chain stops at {chain[-1]}, which does not say '{END}'"
    left_out = sorted(set(chapters()) - set(chain))
    assert not left_out, (
        f"modules no 'Read next:' leads to (add them to the chain, or to NOT_ON_THE_CHAIN with a reason): {left_out}")
    excluded_but_on_chain = sorted(set(chain) - set(chapters()))
    assert not excluded_but_on_chain, f"on the chain but listed as exceptions: {excluded_but_on_chain}"


def readme_reading_order():
    """The .py files of the README's numbered "Reading order" list, as paths from the repository root.

    In each numbered item a backticked folder (`augment/`) sets the folder of the
    backticked file names after it (`compose.py`); a backticked path with a slash
    (`tinygrad_edu/models.py`) stands for itself. Other backticked words are ignored.
    """
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## Reading order\n", 1)[1].split("\n## ", 1)[0]
    files = []
    for item in re.findall(r"^\d+\. .*(?:\n   .*)*", section, re.M):
        folder = ""
        for token in re.findall(r"`([^`]+)`", item):
            if token.endswith("/"):
                folder = token
            elif token.endswith(".py"):
                files.append(token if "/" in token else folder + token)
    return files


def test_the_readme_lists_the_same_order():
    chain, listed = follow_chain(), readme_reading_order()
    for position, (in_chain, in_readme) in enumerate(zip(chain, listed)):
        assert in_chain == in_readme, (
            f"README's reading order differs at position {position + 1}: chain {in_chain}, README {in_readme}")
    assert len(chain) == len(listed), (
        f"the chain has {len(chain)} files, the README lists {len(listed)}; "
        f"the first unmatched: {(chain if len(chain) > len(listed) else listed)[min(len(chain), len(listed))]}")


def test_every_folder_is_one_unbroken_stretch_of_the_chain():
    chain = follow_chain()
    broken = []
    for folder in sorted({str(Path(module).parent) for module in chain}):
        positions = [index for index, module in enumerate(chain)
                     if (str(Path(module).parent) + "/").startswith(folder + "/")]
        if positions[-1] - positions[0] + 1 != len(positions):
            interlopers = [chain[index] for index in range(positions[0], positions[-1] + 1) if index not in positions]
            broken.append(f"{folder}/ is interrupted by {interlopers}")
    assert not broken, "\n".join(broken)


def test_every_module_is_short_enough_to_read_as_one_idea():
    too_long = []
    for module in all_modules():
        lines = (ROOT / module).read_text(encoding="utf-8").count("\n")
        docstring_lines = len(docstring(module).splitlines())
        if lines > MAX_MODULE_LINES:
            too_long.append(f"{module}: {lines} lines (at most {MAX_MODULE_LINES})")
        if docstring_lines > MAX_DOCSTRING_LINES:
            too_long.append(f"{module}: a {docstring_lines}-line docstring (at most {MAX_DOCSTRING_LINES})")
    assert not too_long, "\n".join(too_long)
