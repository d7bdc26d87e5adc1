"""raci.yaml read into :class:`~raci_gen.model.matrix.Settings`: the settings without a problem kept and the others
left at their default and not acted on, the variant chosen (a built-in one by name, or a custom one checked
letter by letter), and the settings that name paths held to the project (the templates folder, ``output.dir``,
the ``output.inject`` pages, ``output.name``)."""

from __future__ import annotations

import datetime as _dt
import difflib
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

from raci_gen.input import filenames, templatefolder
from raci_gen.input.files import CONFIG_NAME, OUTSIDE_LINK, inside_project, leads_outside, parse_file
from raci_gen.input.validation import Reading, checked, read
from raci_gen.input.yamlsource import Located, SlowParse
from raci_gen.model.errors import InputError, Problem
from raci_gen.model.matrix import (
    Injection, Letter, Location, OutputSettings, RuleSetting, Settings, Signer, Variant,
)
from raci_gen.model.matrix import CodeOwnersSettings
from raci_gen.input import codeowners_place
from raci_gen.model.patterns import LETTER_SEPARATORS
from raci_gen.model.variants import RACI, VARIANTS

if TYPE_CHECKING:
    import hashlib

    from raci_gen.input import schema


@dataclass(frozen=True)
class ConfigFile:
    """raci.yaml as loading uses it."""

    path: str
    """As opened: the project's raci.yaml, or the file named with --config."""
    shown: str
    """As problems show it."""
    located: Located | None
    """The file's data with positions; None when the project has no raci.yaml (every setting at its default)."""
    settings: Settings
    variant: Variant | None
    """None when raci.yaml's variant has a problem: cells are then checked against the roles but not their letters."""
    unread: frozenset[str]
    """Settings with a problem (``output.name`` for a key of ``output:`` or ``pdf:``): left at their default and
    not acted on."""


def read_config(root: str, config: str | None, digest: "hashlib._Hash", slow: SlowParse,
                problems: list[Problem]) -> ConfigFile:
    """raci.yaml of the project in ``root`` (``config`` overrides its path), its problems added to ``problems``.

    Raises InputError when where the roles and activities are cannot be known: no file at ``config``, a
    raci.yaml linked outside the project, one that cannot be parsed or is not a mapping."""
    config_path = config if config is not None else os.path.join(root, CONFIG_NAME)
    shown_config = os.path.normpath(config_path)
    if config is not None and not os.path.isfile(config_path):
        raise InputError([Problem(Location(shown_config), "config file not found")])
    if config is None and leads_outside(root, config_path):
        # Read, a raci.yaml linked to /etc/passwd would show its first line in the error.
        # (A file named with --config is the user's own choice, wherever it is.)
        raise InputError([Problem(Location(shown_config), OUTSIDE_LINK)])
    config_located: Located | None = None
    unread_settings: set[str] = set()
    if os.path.isfile(config_path):
        try:
            config_located = parse_file(config_path, shown_config, digest, slow)
        except InputError as exc:
            # Without the settings, where the roles and activities are is unknown: reading the
            # default folders instead would be a guess.
            raise InputError(exc.problems) from None
        reading = read("ProjectFile", config_located, allow_empty=True)
        problems.extend(reading.problems)
        project_file = reading.value
        if project_file is None:
            if not isinstance(config_located.data, dict) or () in config_located.short_of_keys:
                raise InputError(problems)  # a merge key at the top could have said where the inputs are
            # Each setting without a problem is kept; the others are left at their default and not
            # acted on (their problem is reported).
            readable, unread_settings = _readable_settings(config_located.data, reading)
            try:
                project_file = checked("ProjectFile", readable, config_located)
            except InputError:  # pragma: no cover - settings without a problem pass together
                raise InputError(problems) from None
    else:
        project_file = checked("ProjectFile", {})
    settings = _settings(project_file, config_located)
    variant: Variant | None = None
    if "variant" not in unread_settings:
        before = len(problems)
        variant = _variant(project_file.variant, config_located, problems)
        if len(problems) > before:
            variant = None
    return ConfigFile(path=config_path, shown=shown_config, located=config_located,
                      settings=settings, variant=variant,
                      unread=frozenset(unread_settings))


def path_problems(root: str, config: ConfigFile) -> list[Problem]:
    """The problems of the settings that name paths (the templates folder, ``output.name``, ``output.dir``, the
    ``output.inject`` pages), each checked only when it was read without a problem."""
    problems = []
    unread_settings, settings, located = config.unread, config.settings, config.located
    if "templates" not in unread_settings:
        problems.extend(_template_problems(root, settings.templates, located))
    if "output" not in unread_settings and "output.name" not in unread_settings:
        problems.extend(_output_name_problems(settings.output.name, located))
    if "output" not in unread_settings:
        problems.extend(_output_vcs_problems(root, settings.output, unread_settings, located))
    if "output" not in unread_settings and "output.codeowners" not in unread_settings:
        refusal = codeowners_place.place_problem(root, settings.output.codeowners)
        if refusal is not None:
            problems.append(Problem(located.at(("output", "codeowners", "file")) if located is not None
                                    else Location(CONFIG_NAME), refusal))
    return problems


def _readable_settings(data: dict, reading: Reading) -> tuple[dict, set[str]]:
    """The settings of raci.yaml that have no problem, and the names of those that have (``output.name``
    for a key of ``output:`` or ``pdf:``, whose other keys are kept; a custom variant is kept whole or not
    at all, as a variant missing a letter would judge every cell wrongly)."""
    readable: dict = {}
    unread: set[str] = set()
    for key, value in data.items():
        if isinstance(key, str) and reading.sound((key,)):
            readable[key] = value
        elif key in ("output", "pdf") and isinstance(value, dict) and (key,) not in reading.wrong:
            readable[key] = {k: v for k, v in value.items() if isinstance(k, str) and reading.sound((key, k))}
            unread.update(f"{key}.{k}" for k in value if k not in readable[key])
        else:
            unread.add(str(key))
    return readable, unread


def _settings(f: "schema.ProjectFile", located: Located | None) -> Settings:
    """The checked raci.yaml as the model's Settings, each lint setting and inject page with its place."""
    date = f.date.isoformat() if isinstance(f.date, _dt.date) else f.date
    here = located.at if located else (lambda path: Location(CONFIG_NAME))
    key_at = located.key_at if located else (lambda path: Location(CONFIG_NAME))
    lint = []
    for rule, value in f.lint.items():
        if isinstance(value, (str, bool)):
            lint.append(RuleSetting(rule, key_at(("lint", rule)), severity=_severity(value)))
            continue
        severity = _severity(value.get("severity"))
        options = tuple((name, option, key_at(("lint", rule, name)))
                        for name, option in value.items() if name != "severity")
        lint.append(RuleSetting(rule, key_at(("lint", rule)),
                                severity=str(severity) if severity is not None else None, options=options))
    return Settings(
        title=f.title, project=f.project, version=f.version, author=f.author, date=date,
        roles=f.roles, activities=f.activities, templates=f.templates, page=f.page,
        output=OutputSettings(
            dir=f.output.dir, name=f.output.name, formats=tuple(dict.fromkeys(f.output.formats)),
            inject=tuple(Injection(t, location=here(("output", "inject", i))) if isinstance(t, str)
                         else Injection(t.file, t.section, here(("output", "inject", i)))
                         for i, t in enumerate(f.output.inject)),
            codeowners=CodeOwnersSettings(f.output.codeowners.file, f.output.codeowners.target,
                                          f.output.codeowners.responsible, f.output.codeowners.section,
                                          f.output.codeowners.block, here(("output", "codeowners"))),
        ),
        variant=f.variant if isinstance(f.variant, str) else f.variant.name,
        lint=tuple(lint), analysis=f.analysis, findings=f.findings,
        approval=tuple(Signer(a.name, a.role, a.date.isoformat() if isinstance(a.date, _dt.date) else a.date)
                       for a in f.approval),
        pdf_variant=f.pdf.variant, language=f.language,
    )


def _severity(value: object) -> str | None:
    """A severity as written in raci.yaml; YAML reads an unquoted ``off`` as false."""
    if value is False:
        return "off"
    if value is True or value is None:
        return None
    return str(value)


def _variant(declared: "str | schema.CustomVariant", located: Located | None,
             problems: list[Problem]) -> Variant:
    """The built-in variant named in raci.yaml, or the custom one declared there."""
    where = located.at(("variant",)) if located else Location(CONFIG_NAME)
    if isinstance(declared, str):
        if declared in VARIANTS:
            return VARIANTS[declared]
        by_case = {name.casefold(): name for name in VARIANTS}
        close = by_case.get(declared.casefold()) or next(iter(difflib.get_close_matches(declared, list(VARIANTS), 1)), None)
        hint = f"did you mean {close!r}?" if close else f"choose from {', '.join(VARIANTS)}, or declare one"
        problems.append(Problem(where, f"unknown variant {declared!r}; {hint}"))
        return RACI
    codes = [letter.code for letter in declared.letters]
    seen: set[str] = set()
    for i, code in enumerate(codes):
        if code in seen:
            problems.append(Problem(located.at(("variant", "letters", i, "code")) if located else where,
                                    f"letter {code!r} is declared twice"))
        seen.add(code)

    def declared_letters(key: str, values: list[str], path: tuple | None = None) -> tuple[str, ...]:
        """The letters of one declaration, each checked against the variant's letters."""
        for i, code in enumerate(values):
            if code not in seen:
                at_path = path if path is not None else ("variant", key, i)
                at = located.at(at_path) if located else where
                problems.append(Problem(at, f"{key} names {code!r}, which is not one of the variant's letters "
                                            f"({', '.join(codes)})"))
        return tuple(values)

    combinations = []
    for i, text in enumerate(declared.combinations):
        parts = list(LETTER_SEPARATORS.sub("", text))  # "A/R" and "AR" alike
        combinations.append(declared_letters("combinations", parts, ("variant", "combinations", i)))
    needs = []
    for code, needed in declared.needs.items():
        declared_letters("needs", [code], ("variant", "needs", code))
        for j, other in enumerate(needed):
            declared_letters("needs", [other], ("variant", "needs", code, j))
        needs.append((code, tuple(needed)))
    order = "".join(declared_letters("exactly-one", declared.exactly_one)) + "".join(
        c for c in codes if c not in declared.exactly_one)
    return Variant(
        name=declared.name,
        letters=tuple(Letter(l.code, l.name, l.meaning, l.colour.upper()) for l in declared.letters),
        order=order,
        exactly_one=tuple(declared.exactly_one),
        doers=declared_letters("does-the-work", declared.does_the_work),
        consulted=declared_letters("consulted", declared.consulted),
        informed=declared_letters("informed", declared.informed),
        combinations=tuple(combinations),
        at_most_one=declared_letters("at-most-one", declared.at_most_one),
        needs=tuple(needs),
        not_involved=declared_letters("not-involved", declared.not_involved),
        helpers=declared_letters("helps", declared.helps),
        description=declared.description,
    )


def _output_vcs_problems(root: str, output: OutputSettings, unread_settings: frozenset[str],
                         config: Located | None) -> list[Problem]:
    """raci.yaml's ``output.dir`` and ``output.inject`` pages may not lead into a version-control folder: a
    pull request's ``output: {dir: .git/hooks, name: pre-commit}`` would write a hook git runs. (``--out`` and
    ``--inject`` on the command line are the user's own choice, and not checked here.)"""
    problems = []
    if "output.dir" not in unread_settings:
        vcs = templatefolder.vcs_folder_on_the_way(root, os.path.join(root, output.dir))
        if vcs is not None:
            where = config.at(("output", "dir")) if config is not None else Location(CONFIG_NAME)
            problems.append(Problem(where, f"output.dir {output.dir!r} leads into {vcs!r}, a version-control "
                                           "folder, where raci-gen never writes; choose a folder of its own"))
    if "output.inject" not in unread_settings:
        for injection in output.inject:
            vcs = templatefolder.vcs_folder_on_the_way(root, os.path.join(root, injection.file))
            if vcs is not None:
                problems.append(Problem(injection.location, f"inject page {injection.file!r} leads into {vcs!r}, "
                                                            "a version-control folder, which raci-gen neither reads "
                                                            "nor writes"))
    return problems


def _template_problems(root: str, configured: str, config: Located | None) -> list[Problem]:
    """The templates folder and everything in it must stay inside the project, like the inputs:
    a template is copied into the documents, so one linked to /etc/passwd would publish it."""
    path = os.path.join(root, configured)
    shown = os.path.normpath(path)
    setting = config.at(("templates",)) if config is not None and isinstance(config.data, dict) \
        and "templates" in config.data else None
    try:
        if not os.path.lexists(path):
            return []
        if not inside_project(root, path):
            how = "through a symbolic link" if os.path.islink(path) or not setting else repr(configured)
            return [Problem(setting or Location(shown), f"the templates path leads outside the project folder "
                                                        f"({how}); keep templates inside the project")]
        refusal = templatefolder.setting_problem(root, path)
        if refusal is not None:  # the project folder itself, or .git: a template could include the CI token
            return [Problem(setting or Location(shown), refusal)]
        return templatefolder.folder_problems(path, OUTSIDE_LINK, root)
    except (ValueError, OSError):
        return [Problem(setting or Location(shown), f"the templates path {configured!r} is not a usable path")]


def _output_name_problems(name: str, config: Located | None) -> list[Problem]:
    """``output.name`` must be a name every file system holds: the documents are committed and checked out
    everywhere, and ``con.md`` would leave the repository unusable on Windows."""
    device = filenames.windows_reserved(name)
    if device is None:
        return []
    where = config.at(("output", "name")) if config is not None else Location(CONFIG_NAME)
    return [Problem(where, f"output.name {name!r} is {device}, a device name Windows reserves whatever suffix "
                           f"follows (CON, PRN, AUX, NUL, COM0-9, LPT0-9); choose another file stem")]
