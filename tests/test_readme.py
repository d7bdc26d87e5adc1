"""The documentation, README.md and every page in docs/, holds to the code: its generated tables are the registries
they are generated from, its links and anchors lead somewhere, its YAML and JSON examples parse, the README's first
project runs as written, the command-line synopsis names options that exist, the README gives the test command
.ci/run runs, and the sections cited by name in .ci/run, the code and the tests exist. (The limits tables are
checked against the constants by the tests of each limit, through tests/documentation.py.)"""

from __future__ import annotations

import difflib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from markdown_it import MarkdownIt

import documentation
from documentation import PAGES, README, ROOT
from raci_gen.checks.reports import rules_table, variants_table

GENERATED = {"RULES": lambda: rules_table(markdown=True), "VARIANTS": variants_table}
"""The tables between <!-- BEGIN NAME ... --> and <!-- END NAME --> markers, and what makes them."""

RACI_GEN = os.path.join(os.path.dirname(sys.executable), "raci-gen")
PAGE_IDS = [str(page.relative_to(ROOT)) for page in PAGES]


def _tokens(page: Path) -> list:
    return MarkdownIt("commonmark").enable("table").parse(page.read_text(encoding="utf-8"))


def _fences(page: Path, info: str) -> list[str]:
    return [t.content for t in _tokens(page) if t.type == "fence" and t.info.strip() == info]


def _section(page: Path, heading: str) -> list:
    """The tokens of the section under the level-2 heading `heading`, up to the next heading of level 1 or 2."""
    tokens, inside, found = _tokens(page), [], False
    for i, token in enumerate(tokens):
        if token.type == "heading_open" and token.tag in ("h1", "h2"):
            if found:
                break
            found = tokens[i + 1].content == heading
        elif found:
            inside.append(token)
    assert found, f"{page.name} has no section {heading!r}"
    return inside


def github_slug(heading: str) -> str:
    """A heading's anchor as GitHub makes it: lower case, punctuation dropped (letters, digits, `_` and `-` kept),
    each space a hyphen; written here from GitHub's rules, not taken from raci-gen's own anchors module."""
    return re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-")


def anchors(page: Path) -> set[str]:
    """Every #fragment that leads somewhere in `page` on GitHub: the headings' slugs (a repeated one numbered -1,
    -2, ...) and the explicit <a id> / <a name> anchors."""
    found: set[str] = set()
    tokens = _tokens(page)
    for i, token in enumerate(tokens):
        if token.type == "heading_open":
            inline = tokens[i + 1]
            text = "".join(c.content for c in inline.children if c.type in ("text", "code_inline"))
            slug, n = github_slug(text), 1
            while slug in found:
                slug, n = f"{github_slug(text)}-{n}", n + 1
            found.add(slug)
    found |= set(re.findall(r"<a (?:id|name)=\"([^\"]+)\"", page.read_text(encoding="utf-8")))
    return found


def links(page: Path) -> list[str]:
    """The targets of the page's Markdown links and images (not those shown in code)."""
    targets = []
    for token in _tokens(page):
        for child in token.children or []:
            if child.type == "link_open":
                targets.append(child.attrs["href"])
            elif child.type == "image":
                targets.append(child.attrs["src"])
    return targets


REPOSITORY = ("https://github.com/raci-gen/raci-gen/blob/main/",
              "https://raw.githubusercontent.com/raci-gen/raci-gen/main/")
"""This repository's files as GitHub shows them (pyproject's Source, SARIF's helpUri), and as it serves them."""


def local(page: Path, target: str) -> tuple[Path | None, str]:
    """The file of this repository a link leads to (relative, or by its address on GitHub) and its #fragment;
    None for another site."""
    address = next((address for address in REPOSITORY if target.startswith(address)), None)
    if address:
        target = os.path.relpath(ROOT / target[len(address):], page.parent)
    elif re.match(r"[a-z][a-z0-9+.-]*:", target):  # https:, mailto:
        return None, ""
    path, _, fragment = target.partition("#")
    return ((page.parent / path).resolve() if path else page), fragment


# --- generated tables -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", GENERATED)
def test_each_generated_table_is_on_one_page(name):
    holders = [page.name for page in PAGES if f"\n<!-- BEGIN {name} (generated" in page.read_text(encoding="utf-8")]
    assert len(holders) == 1, f"the {name} table is on {holders}: one page holds it"


@pytest.mark.parametrize("page", PAGES, ids=PAGE_IDS)
def test_generated_tables_are_the_registries(page):
    text = page.read_text(encoding="utf-8")
    for name in re.findall(r"^<!-- BEGIN (\w+) \(generated", text, re.M):
        assert name in GENERATED, f"{page.name}: no generator for the {name} table"
        match = re.search(rf"<!-- BEGIN {name}[^>]*-->\n(.*?)<!-- END {name} -->", text, re.S)
        assert match, f"{page.name}: the {name} table has no END marker"
        assert match.group(1) == GENERATED[name](), f"{page.name}: the {name} table is not the registry's"


def test_each_table_row_is_stated_once():
    """The limits tests read every page's table rows by their first cell (documentation.table_rows): a row
    stated twice, on two pages say, could differ in its figure, and only one would be checked."""
    firsts = [line.split("|")[1].strip() for line in documentation.text().splitlines()
              if line.strip().startswith("|") and line.count("|") >= 3 and not line.strip().startswith("|---")]
    assert sorted({first for first in firsts if firsts.count(first) > 1}) == []


# --- links and anchors ------------------------------------------------------------------------------------------


def test_github_slugs_as_github_makes_them():
    assert github_slug("Is it stale? build --check") == "is-it-stale-build---check"
    assert github_slug("The document's date") == "the-documents-date"
    assert github_slug("Import, CSV and JSON") == "import-csv-and-json"


@pytest.mark.parametrize("page", PAGES, ids=PAGE_IDS)
def test_links_lead_to_files_and_anchors_that_exist(page):
    broken = []
    for target in links(page):
        file, fragment = local(page, target)
        if file is None:  # another site: not fetched
            continue
        if ROOT not in file.parents and file != ROOT or not file.exists():
            broken.append(f"{target}: no file {file}")
        elif fragment and file.suffix == ".md" and fragment not in anchors(file):
            broken.append(f"{target}: no anchor #{fragment} in {file.relative_to(ROOT)}")
    assert broken == []


def test_the_readme_links_every_page_by_its_address():
    """PyPI shows the README alone, where a relative link to docs/ leads nowhere: the README links each page, and
    shows each image, by its address in the repository on GitHub."""
    targets = links(README)
    linked = {local(README, target)[0] for target in targets}
    assert [page.name for page in PAGES[1:] if page.resolve() not in linked] == []
    assert [target for target in targets if target.startswith("docs/")] == []


# --- examples ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("page", PAGES, ids=PAGE_IDS)
def test_yaml_and_json_examples_parse(page):
    for block in _fences(page, "yaml"):
        yaml.safe_load(block)
    for block in _fences(page, "json"):
        json.loads(block)


def _fence_after(page: Path, words: str, info: str = "yaml") -> str:
    """The first fenced block of kind `info` after the paragraph that holds `words`."""
    tokens, seen = _tokens(page), False
    for token in tokens:
        seen = seen or (token.type == "inline" and words in token.content)
        if seen and token.type == "fence" and token.info.strip() == info:
            return token.content
    raise AssertionError(f"{page.name}: no {info} block after {words!r}")


def test_the_defaults_shown_are_the_defaults(tmp_path):
    """docs/project-format.md, "raci.yaml": the block of every key with its default, as a project's raci.yaml,
    gives the settings of a project without one."""
    from raci_gen.input.loader import load_project

    block = _fence_after(ROOT / "docs" / "project-format.md", "Every key is optional; the defaults are shown.")
    for name, config in (("without", None), ("with", block)):
        (tmp_path / name).mkdir()
        for folder in ("roles", "activities"):
            shutil.copytree(ROOT / folder, tmp_path / name / folder)
        if config:
            (tmp_path / name / "raci.yaml").write_text(config, encoding="utf-8")
    assert "variant: RACI" in block and "page: A4" in block
    assert load_project(str(tmp_path / "with")).settings == load_project(str(tmp_path / "without")).settings


ROLES = "roles:\n  - {id: R1, name: Lead}\n  - {id: R2, name: Engineer}\n"


@pytest.mark.parametrize(("words", "activity"), [
    ("In raci.yaml, a rule id maps to a severity", "{R1: A, R2: R}"),
    ("A variant of your own is declared in raci.yaml", "{R1: A, R2: R}"),
])
def test_the_raci_yaml_examples_load(tmp_path, words, activity):
    """The lint settings (docs/lint.md) and the variant of one's own (docs/project-format.md) shown, as a
    project's raci.yaml, load: the lint runs (exit 0), no line of bad input."""
    [block] = [_fence_after(page, words) for page in PAGES if words in page.read_text(encoding="utf-8")]
    (tmp_path / "roles").mkdir()
    (tmp_path / "activities").mkdir()
    (tmp_path / "raci.yaml").write_text(block, encoding="utf-8")
    (tmp_path / "roles" / "roles.yaml").write_text(ROLES, encoding="utf-8")
    (tmp_path / "activities" / "01-work.yaml").write_text(
        f"phase: Work\nactivities:\n  - {{id: W-1, name: Do it, raci: {activity}}}\n", encoding="utf-8")
    done = subprocess.run([RACI_GEN, "lint", str(tmp_path)], capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stderr) == (0, ""), done.stdout


def example_copy(root: Path) -> Path:
    root.mkdir()
    for folder in ("roles", "activities"):
        shutil.copytree(ROOT / folder, root / folder)
    shutil.copy(ROOT / "raci.yaml", root)
    return root


def edit(root: Path, file: str, line: int, column: int, old: str, new: str) -> None:
    """Replace `old`, which must stand at LINE:COL of the project's `file`, by `new`."""
    path = root / file
    lines = path.read_text(encoding="utf-8").split("\n")
    text = lines[line - 1]
    assert text[column - 1:].startswith(old), f"{file}:{line}:{column} holds {text!r}, not {old!r}"
    lines[line - 1] = text[:column - 1] + new + text[column - 1 + len(old):]
    path.write_text("\n".join(lines), encoding="utf-8")


def test_the_lint_example_is_what_lint_says(tmp_path):
    """docs/lint.md: FP-3 of the example given a third Responsible, as the page says; the lint's lines are the
    page's, and the GitHub annotation starts as the page says."""
    page = ROOT / "docs" / "lint.md"
    expected = _fence_after(page, "Give FP-3 of the example a third Responsible (`R3: R`)", "")
    file, line, column = re.match(r"([^:]+):(\d+):(\d+): ", expected).groups()
    root = example_copy(tmp_path / "p")
    edit(root, file, int(line), int(column), "R3: C", "R3: R")
    done = subprocess.run([RACI_GEN, "lint"], cwd=root, capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stdout, done.stderr) == (0, expected, "")
    annotation = re.search(r"`(::warning file=[^`]*) …`", page.read_text(encoding="utf-8")).group(1)
    done = subprocess.run([RACI_GEN, "lint", "--format", "github"], cwd=root, capture_output=True, text=True,
                          timeout=60)
    assert done.stdout.startswith(annotation)


def test_the_bad_input_example_is_what_raci_gen_says(tmp_path):
    """docs/project-format.md, "What bad input gets": the example with the key and the role of the page's lines
    misspelt there gets the page's lines, exit 2."""
    expected = _fence_after(ROOT / "docs" / "project-format.md", "nothing is written. For example:", "")
    root = example_copy(tmp_path / "p")
    for file, line, column, message in re.findall(r"^([^:\n]+):(\d+):(\d+): error: (.*)$", expected, re.M):
        key = re.match(r"unknown key '(.+)'; did you mean '(.+)'\?", message)
        role = re.match(r"unknown role '(.+)';", message)
        assert key or role, message
        old, new = (key.group(2), key.group(1)) if key else (re.match(r"[\w.-]+", (root / file).read_text(
            encoding="utf-8").split("\n")[int(line) - 1][int(column) - 1:]).group(0), role.group(1))
        edit(root, file, int(line), int(column), old, new)
    done = subprocess.run([RACI_GEN, "build", "--format", "md"], cwd=root, capture_output=True, text=True,
                          timeout=60)
    assert (done.returncode, done.stderr) == (2, expected)
    assert not (root / "output").exists()


def test_the_round_trip_example_is_what_import_says(tmp_path):
    """docs/import.md, "An edit back into the YAML": the example's workbook with the two cells of the page's report
    changed in it, imported --into the project, reports as the page shows (after the lines on the table read),
    and only those two lines of the YAML change."""
    from openpyxl import load_workbook

    page = ROOT / "docs" / "import.md"
    command = _fence_after(page, "When someone edits the workbook", "sh").strip()
    expected = _fence_after(page, "When someone edits the workbook", "")
    root = example_copy(tmp_path / "p")
    built = subprocess.run([RACI_GEN, "build", "--format", "xlsx", "--out", ".", "-q"], cwd=root,
                           capture_output=True, text=True, timeout=120)
    assert built.returncode == 0, built.stderr
    changes = re.findall(r"^  ([\w.-]+) .*: (\w+) (\S+) → (\S+)$", expected, re.M)
    assert len(changes) == 2, expected
    workbook = load_workbook(root / "raci-matrix.xlsx")
    sheet = workbook["RACI matrix"]
    rows = [[cell for cell in row] for row in sheet.iter_rows()]
    header = next(row for row in rows if row[0].value == "ID")
    columns = {str(cell.value).split()[0]: i for i, cell in enumerate(header) if cell.value}
    for activity, role, before, after in changes:
        [cell] = [row[columns[role]] for row in rows if row[0].value == activity]
        assert (cell.value or "–") == before
        cell.value = after
    workbook.save(root / "raci-matrix.xlsx")
    yaml_before = {p.name: p.read_text(encoding="utf-8") for p in (root / "activities").iterdir()}
    done = subprocess.run(command.split(), cwd=root, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.endswith(expected) and expected.startswith("Changes in responsibilities"), done.stdout
    changed = [line[0] + line[1:].strip() for name, text in yaml_before.items()
               for line in difflib.unified_diff(text.splitlines(), (root / "activities" / name).read_text(
                   encoding="utf-8").splitlines(), n=0, lineterm="")
               if line[:1] in "+-" and line[:3] not in ("+++", "---")]
    assert changed == ["-R2: C", "+R2: I", "+R7: C"], changed  # GD-1's R2 changed, GD-4's R7 added


def test_the_check_example_is_what_build_check_says(tmp_path):
    """docs/docs-as-code.md, "Is the committed document stale?": the example built, then the cell the report's
    two table rows differ in changed in the YAML: `raci-gen build --check` prints the page's report, exit 1."""
    expected = _fence_after(ROOT / "docs" / "docs-as-code.md", "The report says what to do:", "")
    [before, after] = [line.split("|")[1:-1] for line in re.findall(r"^  [-+] (\|.*\|)$", expected, re.M)]
    [index] = [i for i, (a, b) in enumerate(zip(before, after)) if a != b]
    activity = before[0].strip()
    roles = [role["id"] for file in sorted((ROOT / "roles").glob("*.yaml"))
             for role in yaml.safe_load(file.read_text(encoding="utf-8"))["roles"]]
    role = roles[index - 2]  # after the ID and Activity columns
    root = example_copy(tmp_path / "p")
    built = subprocess.run([RACI_GEN, "build", "-q"], cwd=root, capture_output=True, text=True, timeout=300)
    assert built.returncode == 0, built.stderr
    file = root / re.search(r"^  (activities/\S+) changed", expected, re.M).group(1)
    text = file.read_text(encoding="utf-8")
    start = text.index(f"- id: {activity}\n")
    cell = re.compile(rf"^(\s+{role}: ){before[index].strip()}$", re.M).search(text, start)
    assert cell and "- id:" not in text[start + 5:cell.start()], f"{activity} has no {role}: {before[index]}"
    file.write_text(text[:cell.start()] + cell.group(1) + after[index].strip() + text[cell.end():], encoding="utf-8")
    done = subprocess.run([RACI_GEN, "build", "--check"], cwd=root, capture_output=True, text=True, timeout=120)
    assert (done.returncode, done.stdout + done.stderr) == (1, expected)


def test_the_hooks_shown_are_those_init_writes(tmp_path):
    """docs/docs-as-code.md, "pre-commit": the local hooks shown are, as data, the ones `raci-gen init docs/raci`
    writes at the top of a git repository; the remote hooks shown are those .pre-commit-hooks.yaml defines."""
    page = ROOT / "docs" / "docs-as-code.md"
    local = yaml.safe_load(_fence_after(page, "The hooks `raci-gen init` writes run the raci-gen installed"))
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True, timeout=60)
    done = subprocess.run([RACI_GEN, "init", "docs/raci"], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    written = yaml.safe_load((tmp_path / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    assert local == written
    remote = yaml.safe_load(_fence_after(page, "This repository also ships `.pre-commit-hooks.yaml`"))
    defined = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert sorted(hook["id"] for hook in remote["repos"][0]["hooks"]) == sorted(hook["id"] for hook in defined)


def test_the_first_project_of_the_readme_runs_as_written(tmp_path):
    """README, "A first project": init, the phase file added, lint and build, each as the README shows them."""
    section = _section(README, "A first project")
    [init, lint_and_build] = [t.content for t in section if t.type == "fence" and t.info == "sh"]
    [phase] = [t.content for t in section if t.type == "fence" and t.info == "yaml"]
    env = {**os.environ, "PATH": os.path.dirname(RACI_GEN) + os.pathsep + os.environ["PATH"]}
    done = subprocess.run(["sh", "-ec", init], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    name = re.match(r"# (\S+)\n", phase).group(1)
    (tmp_path / "my-team" / name).write_text(phase, encoding="utf-8")
    done = subprocess.run(["sh", "-ec", lint_and_build], cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 errors, 0 warnings, 0 info" in done.stdout
    output = tmp_path / "my-team" / "output"
    assert sorted(p.name for p in output.iterdir()) == ["raci-matrix.md", "raci-matrix.pdf", "raci-matrix.xlsx"]
    assert "| HO-1 | Hand the model over to the team that runs it |" in (output / "raci-matrix.md").read_text()


def test_the_governance_example_of_the_readme_runs_as_written(tmp_path):
    """README, "Who signs off, who is in post, who reviews": the three files written as shown, in a git
    repository; lint on each day and the build say what the text after them says."""
    section = _section(README, "Who signs off, who is in post, who reviews")
    files = [t.content for t in section if t.type == "fence" and t.info == "yaml"]
    [commands] = [t.content for t in section if t.type == "fence" and t.info == "sh"]
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True, timeout=60)
    for text in files:
        path = tmp_path / re.match(r"# (\S+)\n", text).group(1)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    runs = []
    for line in commands.splitlines():
        argv = line.split("#")[0].split()
        assert argv[0] == "raci-gen", line
        runs.append(subprocess.run([RACI_GEN, *argv[1:]], cwd=tmp_path, capture_output=True, text=True,
                                   timeout=120))
    before, after, built = runs
    assert before.returncode == 1, before.stdout + before.stderr
    assert ("Ada Lovelace <ada@example.org> fills both role PO (Product Owner), Accountable (A), and role ML (ML "
            "Engineer), Responsible (R), so signs off their own work") in before.stdout
    assert "[separate-sign-off-people]" in before.stdout and "2027-03-31" in before.stdout
    assert "[hand-over-due]" in before.stdout
    assert after.returncode == 0 and "0 errors, 0 warnings, 0 info" in after.stdout, after.stdout + after.stderr
    assert built.returncode == 0, built.stderr
    assert "Product Owner (Alan Turing)" in (tmp_path / "output" / "raci-matrix.md").read_text(encoding="utf-8")
    owners = (tmp_path / ".github" / "CODEOWNERS").read_text(encoding="utf-8")
    assert "/model/release.yaml @acme/product @aturing\n" in owners and "/model/ @ghopper\n" in owners


def test_the_synopsis_names_commands_and_options_that_exist():
    """docs/commands.md's synopsis names every command and every option of each (by its long or short name), and
    no option that is not in the command's --help (the installed raci-gen, whatever module defines it)."""
    [synopsis] = [block for page in PAGES for block in _fences(page, "") if block.startswith("raci-gen build [")]
    commands: dict[str, set[str]] = {}
    command = None
    for line in synopsis.splitlines():
        if line.startswith("raci-gen "):
            command = line.split()[1]
            if command.startswith("-") or command.isupper():
                command = None
                continue
            commands[command] = set()
        if command:
            commands[command] |= set(re.findall(r"(?<![\w-])(--?[a-z][\w-]*)", line))
    done = subprocess.run([RACI_GEN, "--help"], capture_output=True, text=True, timeout=60)
    every = re.findall(r"^  ([a-z][\w-]*)  ", done.stdout.partition("Commands:")[2], re.M)
    assert len(every) >= 11 and sorted(commands) == sorted(every)
    for command, options in commands.items():
        done = subprocess.run([RACI_GEN, command, "--help"], capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, f"{command}: {done.stderr}"
        missing = sorted(option for option in options if not re.search(rf"(?<![\w-]){option}\b", done.stdout))
        assert missing == [], f"raci-gen {command} --help has no {missing}"
        # and the other way round: each option of the command (by its long or short name) is in the synopsis
        given = re.findall(r"^  (?:(-\w), )?(--[a-z][\w-]*)", done.stdout, re.M)
        unlisted = [long for short, long in given if long != "--help" and long not in options and short not in options]
        assert unlisted == [], f"the synopsis of raci-gen {command} lacks {unlisted}"


# --- the README and .ci/run -------------------------------------------------------------------------------------

CI_RUN = (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_ci_runs_the_readme_test_command():
    """README, "Run the tests": `.ci/run` runs exactly its commands (pip quieter)."""
    [block] = [t.content for t in _section(README, "Run the tests") if t.type == "fence"]
    readme = [command.strip() for command in block.strip().split("&&")]
    ci = [command.strip().replace("pip install -q ", "pip install ") for line in CI_RUN.splitlines()
          if line and not line.lstrip().startswith("#") for command in line.split("&&")]
    start = ci.index(readme[0])
    assert ci[start:start + len(readme)] == readme


def headings(page: Path) -> list[str]:
    tokens = _tokens(page)
    return ["".join(c.content for c in tokens[i + 1].children if c.type in ("text", "code_inline"))
            for i, token in enumerate(tokens) if token.type == "heading_open"]


CITING = [ROOT / ".ci" / "run", ROOT / ".pre-commit-hooks.yaml", *sorted((ROOT / "src").rglob("*.py")),
          *sorted((ROOT / "tests").glob("*.py")), *sorted((ROOT / "benchmarks").glob("*.py"))]
"""Files whose comments, docstrings and messages cite a section of the documentation by its name."""


def test_sections_cited_by_name_exist():
    """`README: "System packages"` in .ci/run, `see docs/docs-as-code.md, "What to commit"` in init's message and
    the like: the page holds a heading that starts with the name cited (.ci/run's "Fonts" is "Fonts for
    international teams")."""
    cited = [(file.relative_to(ROOT), page, name) for file in CITING
             for page, name in re.findall(r"\b(README(?:\.md)?|docs/[\w-]+\.md)(?:'s)?[:,]?\s+\\?\"([^\"\\]+)\\?\"",
                                          file.read_text(encoding="utf-8"))]
    assert len([c for c in cited if str(c[0]) == ".ci/run"]) >= 4, cited
    missing = [f"{file}: {page}, {name!r}" for file, page, name in cited
               if not any(h.startswith(name) for h in headings(ROOT / (page if page.endswith(".md") else "README.md")))]
    assert missing == []
