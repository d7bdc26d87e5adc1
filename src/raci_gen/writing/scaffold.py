"""``raci-gen init``: a new project set up the way a team works with it in git.

A project starts with the MLOps example (raci.yaml, roles/, activities/), the JSON Schemas
editors complete from, a ``.gitignore`` that keeps the build artifacts (PDF, workbook,
HTML) out of git and the committed Markdown in, local pre-commit hooks that run the
installed raci-gen on the project, and the Markdown itself, built, so that the hooks pass
from the first commit. pre-commit reads ``.pre-commit-config.yaml`` at the top of the git
repository only, so that is where the hooks go (added to the file there), the project's
folder given in their ``args``.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from raci_gen.model.errors import RaciError

GIT_FILES = {".gitignore": "gitignore", ".pre-commit-config.yaml": "pre-commit-config.yaml"}
"""Files of the git workflow, by name in the project, and the packaged file each is copied from."""


def example_dir() -> Path:
    """The MLOps example: packaged in the wheel, or the repository root in a source checkout."""
    packaged = Path(str(resources.files("raci_gen"))) / "example"
    if (packaged / "raci.yaml").is_file():
        return packaged
    checkout = Path(__file__).resolve().parents[3]
    if (checkout / "raci.yaml").is_file() and (checkout / "roles").is_dir():
        return checkout
    raise RaciError("the built-in example is missing from this installation; reinstall raci-gen")


def project_files() -> dict[str, bytes]:
    """The inputs of a new project, by path relative to its folder: the example and the schemas."""
    from raci_gen.input.schema import json_schemas

    source = example_dir()
    files = {str(rel): (source / rel).read_bytes() for rel in [Path("raci.yaml")] + sorted(
        p.relative_to(source) for folder in ("roles", "activities") for p in (source / folder).glob("*.yaml"))}
    files.update({os.path.join("schemas", name): text.encode("utf-8") for name, text in json_schemas().items()})
    return files


def git_files() -> dict[str, bytes]:
    """``.gitignore`` and ``.pre-commit-config.yaml`` of a new project."""
    folder = resources.files("raci_gen") / "writing" / "scaffold_files"
    return {name: (folder / packaged).read_bytes() for name, packaged in GIT_FILES.items()}


HOOKS_NAME = ".pre-commit-config.yaml"
HOOK_IDS = ("raci-gen-lint", "raci-gen-check")
ANY_ARGS = "args: [.]"
"""How the packaged hook configuration names the project folder; replaced by the folder from the repository's top."""


@dataclass(frozen=True)
class Created:
    """What ``init`` did."""

    written: list[str]
    """Files written (the hook configuration at the repository's top among them, when it was changed)."""
    kept: list[str]
    """The project's own ``.gitignore``, kept because it was there."""
    hooks: str
    """Where the hooks are (the configuration pre-commit reads), or what to add to it, in a sentence."""


def create(directory: str, templates: bool = False) -> Created:
    """Write a new project into ``directory``, with a copy of the built-in templates in its ``templates/``
    when ``templates`` is set (``init --templates``; see :func:`copy_templates`).

    The inputs must not exist yet (nothing is overwritten; a clash writes nothing), and ``directory``
    must not be, or be inside, another project (whose loader would read the new files as its own). A
    ``.gitignore`` already there is the user's and is kept. The hooks go where pre-commit reads them:
    the top folder of the git repository that holds ``directory`` (added to a configuration already
    there, whose bytes are kept), else ``directory`` itself.
    """
    from raci_gen.writing import output
    from raci_gen.runtime.confined import Write, confine, write_all

    inputs = project_files()
    if templates:
        from raci_gen.input import templatefolder

        inputs.update({os.path.join("templates", name): templatefolder.built_in_bytes(name)
                       for name in templatefolder.BUILT_IN_NAMES})
    existing = [os.path.join(directory, f) for f in inputs if os.path.lexists(os.path.join(directory, f))]
    if existing:
        raise RaciError("refusing to overwrite existing files: " + ", ".join(existing))
    _refuse_nested(directory)
    top = repository_top(directory)
    packaged = git_files()
    writes = [Write(os.path.join(directory, rel), data, confine(os.path.join(directory, rel), ".", directory),
                    create_only=True) for rel, data in inputs.items()]
    kept = []
    if os.path.lexists(os.path.join(directory, ".gitignore")):
        kept.append(".gitignore")
    else:
        path = os.path.join(directory, ".gitignore")
        writes.append(Write(path, packaged[".gitignore"], confine(path, ".", directory), create_only=True))
    folder = "." if top is None else Path(os.path.relpath(os.path.abspath(directory), os.path.abspath(top))).as_posix()
    hooks_at = directory if folder == "." else top
    config_path = os.path.normpath(os.path.join(hooks_at, HOOKS_NAME))
    config = hook_configuration(config_path, folder)
    if isinstance(config, str):  # there, but not a list we can add to without touching the rest
        hooks = config
    elif config is None:
        hooks = f"{config_path} already runs raci-gen's hooks on {folder}"
    else:
        writes.append(Write(config_path, config, confine(config_path, ".", hooks_at),
                            create_only=not os.path.lexists(config_path)))
        hooks = (f"the pre-commit hooks for {folder} are in {config_path}, where pre-commit reads them; "
                 f"run `pre-commit install` once in {os.path.normpath(hooks_at)}")
    write_all(writes, replace=True)
    return Created([w.path for w in writes] + _build_markdown(directory, output), kept, hooks)


def _refuse_nested(directory: str) -> None:
    """A project where another project reads files is refused: in its roles/, activities/ or templates/ folder
    the outer one would read the new raci.yaml and YAML files as its own (``init .`` in activities/ made 9
    errors of the outer project). A project in any other folder below another (``my-team/`` beside the
    example, ``docs/raci`` in a repository whose top is a project) reads and is read apart, and is made."""
    from raci_gen.input.discovery import project_of

    root = project_of(os.path.abspath(directory))  # the folder is made by init: from its nearest that is there
    if root is None:
        return
    where = root if os.path.isabs(directory) else os.path.relpath(root)
    # One line naming the folder, as init's other refusals of a folder (a link that leads outside) are.
    if os.path.isdir(directory) and os.path.samefile(root, directory):
        raise RaciError(f"{directory}: error: {where} is already a raci-gen project; use it, or init another folder")
    target = os.path.realpath(directory)
    for setting, folder in _read_folders(root).items():
        folder = os.path.realpath(os.path.join(root, folder))
        if target == folder or target.startswith(folder + os.sep):
            raise RaciError(f"{directory}: error: inside the {setting} folder of the raci-gen project in {where}, "
                            "which would read the new files as its own; init a folder outside it")


def _read_folders(root: str) -> dict[str, str]:
    """The folders the project in ``root`` reads (``roles:``, ``activities:``, ``templates:`` of its raci.yaml,
    else their defaults). A raci.yaml that cannot be read leaves the defaults: its own build says what is wrong."""
    from raci_gen.model.errors import InputError
    from raci_gen.input.yamlsource import parse, read_text

    folders = {"roles": "roles", "activities": "activities", "templates": "templates"}
    config = os.path.join(root, "raci.yaml")
    if os.path.isfile(config):
        try:
            data = parse(read_text(config, config), config).data
        except InputError:
            data = None
        if isinstance(data, dict):
            folders.update({key: data[key] for key in folders if isinstance(data.get(key), str)})
    return folders


def copy_templates(directory: str) -> list[str]:
    """Copy the built-in templates into the templates folder of the project in ``directory`` (its raci.yaml's
    ``templates:``, else ``templates/``), for customising, and return the files written.

    Nothing is overwritten: one of them there already (a file, a folder or a link) refuses the copy in one
    line and writes nothing. The folder must be one a build would read: inside the project folder, not the
    folder itself, not in a version-control folder (refused at raci.yaml's setting, as the loader refuses
    it). A copy left as it came is the built-in template (:func:`templatefolder.is_built_in`): the documents
    are the same bytes until it is changed."""
    from raci_gen.input import templatefolder
    from raci_gen.runtime.confined import Write, confine, write_all

    setting, where = _templates_setting(directory)
    folder = os.path.normpath(os.path.join(directory, setting))
    try:  # links resolved, as far as the path exists
        real_root = os.path.realpath(directory)
        inside = os.path.commonpath([real_root, os.path.realpath(folder)]) == real_root
    except (ValueError, OSError):
        raise RaciError(f"{where}: error: the templates path {setting!r} is not a usable path") from None
    if not inside:
        raise RaciError(f"{where}: error: the templates path {setting!r} leads outside the project folder; "
                        "init --templates copies the built-in templates only into the project's own folder")
    refusal = templatefolder.setting_problem(directory, folder)
    if refusal is not None:
        raise RaciError(f"{where}: error: {refusal}")
    if os.path.lexists(folder) and not os.path.isdir(folder):  # the build would refuse it as well
        raise RaciError(f"{folder}:1:1: error: the templates folder is there, but not as a folder (a file, or a "
                        "link to none); init --templates overwrites nothing")
    names = templatefolder.BUILT_IN_NAMES
    there = [os.path.join(folder, name) for name in names if os.path.lexists(os.path.join(folder, name))]
    if there:
        count = f"{len(there)} of the {len(names)} built-in templates are" if len(there) > 1 else "the file is"
        raise RaciError(f"{there[0]}:1:1: error: {count} there already, and init --templates overwrites nothing; "
                        f"remove or rename what is there to copy the built-in {', '.join(names)}")
    writes = [Write(os.path.join(folder, name), templatefolder.built_in_bytes(name),
                    confine(os.path.join(folder, name), directory, directory), follow_link=False, create_only=True)
              for name in names]
    write_all(writes, replace=False)
    return [w.path for w in writes]


def _templates_setting(directory: str) -> tuple[str, str]:
    """The project's ``templates:`` (else its default) and where it is said: raci.yaml's line, or raci.yaml."""
    from raci_gen.model.errors import InputError
    from raci_gen.input.yamlsource import parse, read_text

    config = os.path.join(directory, "raci.yaml")
    try:
        located = parse(read_text(config, config), config)
    except InputError as exc:  # its build says the rest; the templates folder is not to be guessed
        raise RaciError(str(exc.problems[0])) from None
    if isinstance(located.data, dict) and isinstance(located.data.get("templates"), str):
        return located.data["templates"], str(located.at(("templates",)))
    return "templates", f"{config}:1:1"


def repository_top(directory: str) -> str | None:
    """The top folder of the git repository that holds ``directory`` (the nearest folder above, or
    itself, with a ``.git``), or None; the walk stops at the filesystem root."""
    folder = os.path.abspath(directory)
    while True:
        if os.path.lexists(os.path.join(folder, ".git")):
            return os.path.relpath(folder) if not os.path.isabs(directory) else folder
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent


def hook_configuration(path: str, folder: str) -> bytes | str | None:
    """The bytes of the pre-commit configuration at ``path`` with hooks for the project in ``folder``
    (a path from the configuration's folder); None when the hooks there already cover it; a sentence
    saying what to add when the file is there but cannot be added to safely.

    An existing file keeps every byte: the hooks are inserted as one more item at the end of its
    ``repos:`` list, and the result must read as the same data plus that item, or nothing is changed.
    """
    from raci_gen.input.yamlsource import parse, read_text

    packaged = git_files()[HOOKS_NAME].decode("utf-8")
    ours = packaged.replace(ANY_ARGS, f"args: [{json.dumps(folder)}]")
    if not os.path.lexists(path):
        return ours.encode("utf-8")
    item = ours[ours.index("  - repo: local"):]
    what_to_add = f"{path}: add this item to its repos: list (the hooks for {folder}):\n{item.rstrip()}"
    try:
        text = read_text(path, path)
        data = parse(text, path).data
    except RaciError:
        return what_to_add
    repos = data.get("repos") if isinstance(data, dict) else None
    if not isinstance(repos, list):
        return what_to_add
    if any(_covers(hook, folder) for repo in repos if isinstance(repo, dict)
           for hook in (repo.get("hooks") or []) if isinstance(hook, dict)):
        return None
    changed = _insert_item(text, item)
    ours_data = parse("repos:\n" + item, "<hooks>").data["repos"]
    try:
        if changed is None or parse(changed, path).data != {**data, "repos": repos + ours_data}:
            return what_to_add
    except RaciError:
        return what_to_add
    return changed.encode("utf-8")


def _covers(hook: dict, folder: str) -> bool:
    """Whether a hook of the configuration is raci-gen's and runs on ``folder``'s project: given it in
    args, or finding the project of each changed file (no args)."""
    if hook.get("id") not in HOOK_IDS:
        return False
    entry = hook.get("entry")
    if entry is not None and not str(entry).startswith("raci-gen hook "):
        return False  # a local hook of an earlier init, `raci-gen lint`, runs in the top folder only
    args = hook.get("args") or []
    return not args or os.path.normpath(folder) in {os.path.normpath(str(a)) for a in args}


_TOP_KEY = re.compile(r"[^\s#-]")


def _insert_item(text: str, item: str) -> str | None:
    """``text`` with ``item`` (a ``- repo:`` item written at two spaces) added after the last item of the
    top-level ``repos:`` block sequence, at that sequence's indentation; None when there is no such list."""
    lines = text.splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines) if re.match(r"repos\s*:\s*(#.*)?$", line.rstrip("\r\n"))), None)
    if start is None:
        return None
    end, indent = start + 1, None
    for i in range(start + 1, len(lines)):
        line = lines[i].rstrip("\r\n")
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if _TOP_KEY.match(line):  # the next top-level key
            break
        if indent is None:
            found = re.match(r"( *)- ", line)
            if not found:
                return None
            indent = found.group(1)
        end = i + 1
    if indent is None:
        return None
    newline = "\r\n" if lines[start].endswith("\r\n") else "\n"
    block = "".join(indent + line[2:] + newline if line else newline for line in item.rstrip("\n").split("\n"))
    if end == len(lines) and not lines[-1].endswith(("\n", "\r")):
        lines[-1] += newline
    return "".join(lines[:end]) + block + "".join(lines[end:])


def _build_markdown(directory: str, output) -> list[str]:
    """The committed document, built now, so that ``build --check`` passes before the first edit."""
    from raci_gen.checks.analysis import lint
    from raci_gen.input.loader import load_project

    project = load_project(directory)
    outputs = output.generate(project, ["md"], findings=lint(project.matrix, project.settings))
    output.write(outputs)
    return [item.path for item in outputs]
