"""The shape of the input files, declared once.

These pydantic models are the single source of the loader's structural checks
(required keys, types, unknown keys) and of the JSON Schemas offered to editors.
The docstring under each field is its documentation in both places. Only the
loader uses them; the rest of raci-gen sees :mod:`raci_gen.model.matrix`. Their JSON
Schemas are also kept in ``shapes.json``, which :mod:`raci_gen.input.fastcheck` walks to
pass a valid file without importing pydantic (regenerate it with
:func:`write_shapes` after changing a model; a test says when it is stale).
"""

from __future__ import annotations

import datetime as _dt
from typing import Annotated, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, StringConstraints


class _Strict(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        frozen=True,
        use_attribute_docstrings=True,
        populate_by_name=False,
    )


MAX_NAME = 300
"""Longest name, title or short text accepted, in characters (a name is one line of a table)."""
MAX_DESCRIPTION = 5000
"""Longest description or reason accepted, in characters."""

Text = Annotated[str, StringConstraints(max_length=MAX_NAME)]
LongText = Annotated[str, StringConstraints(max_length=MAX_DESCRIPTION)]
Reason = Annotated[str, StringConstraints(min_length=1, max_length=MAX_DESCRIPTION)]
Severity = Literal["error", "warning", "info", "off"]
LetterCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]$")]
MAX_HANDLE = 255
"""Longest code-review handle accepted, in characters (GitLab's longest path)."""
Handle = Annotated[str, StringConstraints(min_length=1, max_length=MAX_HANDLE, pattern=r"^\S+$")]
"""A code-review handle: one word (its form for GitHub or GitLab is lint's codeowners-handle)."""
MAX_PATH_PATTERN = 1000
"""Longest repository path pattern (``paths:``) accepted, in characters."""
PathPattern = Annotated[str, StringConstraints(min_length=1, max_length=MAX_PATH_PATTERN)]


class VariantLetter(_Strict):
    """One letter of a custom variant."""

    code: LetterCode
    """The letter: one capital A-Z."""
    name: Text
    """What it stands for, e.g. Responsible."""
    meaning: LongText = ""
    """One sentence for the legend."""
    colour: Annotated[str, StringConstraints(pattern=r"^#[0-9A-Fa-f]{6}$")] = "#E4E4E4"
    """Cell colour as #RRGGBB."""


class CustomVariant(_Strict):
    """A letter set of your own, with the constraints the lint applies to it."""

    name: Text
    """Name shown in the legend, e.g. RAEW."""
    letters: list[VariantLetter] = Field(min_length=1)
    """The letters, in legend order."""
    exactly_one: list[LetterCode] = Field([], alias="exactly-one")
    """Letters every activity needs exactly once (the single owner, like A in RACI)."""
    does_the_work: list[LetterCode] = Field([], alias="does-the-work")
    """Letters that mean doing the work (like R); every activity needs one."""
    consulted: list[LetterCode] = []
    """Letters that mean being asked before (like C)."""
    informed: list[LetterCode] = []
    """Letters that mean being told after (like I)."""
    combinations: list[Text] = []
    """Multi-letter cells that are settled practice, e.g. ["A/R"]."""
    at_most_one: list[LetterCode] = Field([], alias="at-most-one")
    """Letters an activity may hold at most once."""
    needs: dict[LetterCode, list[LetterCode]] = {}
    """Letter to letters: where the first appears, one of the others must too, e.g. {S: [R]}."""
    not_involved: list[LetterCode] = Field([], alias="not-involved")
    """Letters that record a deliberate "not involved" (like O in CAIRO)."""
    helps: list[LetterCode] = []
    """Letters that take a share of the work without owning it (like S in RASCI): a role holding only these
    is not reported as following the work."""
    description: LongText = ""
    """One line about the variant."""


RuleOptions = dict[Text, Union[bool, int, float, Text]]
LintIgnore = dict[Text, Reason]


class InjectTarget(_Strict):
    """A page that receives one section of the Markdown between its RACI markers."""

    file: Text
    """The page, relative to the project folder, e.g. docs/wiki/Responsibilities.md."""
    section: Text = "document"
    """Which part to inject: document, legend, matrix, roles (see `raci-gen build --help`)."""


class CodeOwnersFile(_Strict):
    """The CODEOWNERS file that the codeowners format writes, between its # BEGIN RACI and # END RACI lines."""

    file: Text = ".github/CODEOWNERS"
    """The file, relative to the project folder; it must be inside the git work tree that holds the project
    (or the project folder outside git), e.g. ../../.github/CODEOWNERS for a project in docs/raci."""
    target: Literal["github", "gitlab"] = "github"
    """Who reads it: github, or gitlab (the lines go in a [section], and GitLab's handle forms are allowed)."""
    responsible: bool = False
    """Whether the Responsible roles' handles are owners too, after the Accountable's."""
    section: Annotated[str, StringConstraints(max_length=MAX_NAME, pattern=r"^[^\[\]\r\n]+$")] | None = None
    """The GitLab section's name; default: the title."""
    block: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,99}$")] | None = None
    """A name for this project's pair of markers (# BEGIN RACI NAME, # END RACI NAME), so that several projects
    share one file, each between its own; default: none (# BEGIN RACI, # END RACI)."""


class OutputFile(_Strict):
    """Where `raci-gen build` writes, and which documents."""

    dir: Text = "output"
    """Folder for the documents, relative to the project folder."""
    name: Text = Field("raci-matrix", pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
    """File stem: output/NAME.md, NAME.xlsx, NAME.pdf, NAME.html."""
    formats: list[Literal["md", "xlsx", "pdf", "html", "csv", "json", "codeowners"]] = ["md", "xlsx", "pdf"]
    """Documents built when `--format` is not given."""
    inject: list[Union[Text, InjectTarget]] = []
    """Pages whose text between <!-- BEGIN RACI --> and <!-- END RACI --> is replaced by the Markdown."""
    codeowners: CodeOwnersFile = CodeOwnersFile()
    """Where and how the codeowners format writes the owners of the activities' paths."""


class PersonEntry(_Strict):
    """Somebody who fills a role."""

    name: Text
    """Full name."""
    email: Text | None = None
    """E-mail address."""
    team: Text | None = None
    """Team or department."""
    from_: _dt.date | None = Field(None, alias="from")
    """First day in the role, as YYYY-MM-DD (ISO 8601); before it, the documents leave the person out."""
    until: _dt.date | None = None
    """Last day in the role, as YYYY-MM-DD (ISO 8601); after it, the documents leave the person out."""
    note: LongText | None = None
    """Why, e.g. "parental leave, covered by Alan Turing"."""
    handles: list[Handle] = []
    """Code-review handles for CODEOWNERS: @user, @org/team (GitHub), @group/subgroup (GitLab), or an e-mail."""


class SignerEntry(_Strict):
    """One line of the approval block."""

    name: Text
    """Who signs."""
    role: Text | None = None
    """In which capacity, e.g. Project sponsor."""
    date: _dt.date | Text | None = None
    """Date of signature, if already known; otherwise a blank line is printed."""


class PdfOptions(_Strict):
    """PDF output options."""

    variant: Literal["pdf/a-3b", "pdf/ua-1"] | None = None
    """pdf/a-3b for archiving, pdf/ua-1 for strict accessibility; default: tagged PDF."""


class ProjectFile(_Strict):
    """Project settings (raci.yaml). Every key is optional."""

    title: Text = "RACI matrix"
    """Document title."""
    project: Text | None = None
    """Project name shown in the title block, e.g. "Churn model"."""
    version: Text | None = None
    """Version of the matrix shown in the title block, e.g. "1.2"."""
    author: Text | None = None
    """Author shown in the title block and in the PDF and workbook properties."""
    date: _dt.date | Text | None = None
    """Date shown on the documents; when absent, the build date (SOURCE_DATE_EPOCH if set)."""
    roles: Text = "roles"
    """Folder of role files (*.yaml), or a single role file."""
    activities: Text = "activities"
    """Folder of activity files (*.yaml, one phase each, taken in file-name order), or a single file."""
    templates: Text = "templates"
    """Folder whose files override the built-in templates of the same name."""
    page: Literal["A4", "Letter"] = "A4"
    """PDF page size; pages are landscape."""
    output: OutputFile = OutputFile()
    """Where and what `raci-gen build` writes."""
    variant: Union[Text, CustomVariant] = "RACI"
    """Letter set: RACI, RASCI, RACI-VS, CAIRO, DACI, RAPID, PARIS, PACSI, or a custom variant declared here."""
    lint: dict[Text, Union[Severity, bool, RuleOptions]] = {}
    """Rule id to a severity (error, warning, info, off) or to {severity: ..., option: value}."""
    analysis: bool = True
    """Whether documents carry the analysis section (letters per role and phase, the workload chart)."""
    findings: bool = False
    """Whether the analysis section also lists the open lint findings, worded by activity and role; off, the
    documents a sponsor signs carry no lint report (`raci-gen lint` and `build` print it)."""
    approval: list[SignerEntry] = []
    """Signers of the approval block printed at the end of the documents; none, no block."""
    pdf: PdfOptions = PdfOptions()
    """PDF options."""
    language: Text = Field("en", pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
    """Language of the text, as a BCP 47 tag (en, de, fr-CA); used by screen readers."""


class RoleEntry(_Strict):
    """One role: a column of the matrix."""

    id: Text
    """Short unique id, used in activity files, e.g. R1 or DS."""
    name: Text
    """Role name, e.g. Data Scientist."""
    similar: list[Text] = []
    """Other names the same role goes by, e.g. [ML Specialist, ML Developer]."""
    description: LongText | None = None
    """What the role does."""
    lint_ignore: LintIgnore = Field({}, alias="lint-ignore")
    """Rule id to the reason it does not apply to this role, e.g. {overloaded-role: "..."}."""
    people: list[Union[Text, PersonEntry]] = []
    """Who fills the role: names, or {name, email, team}."""
    handles: list[Handle] = []
    """The role's own code-review handles for CODEOWNERS (a team, say: @org/data-science), beside its people's."""


class RolesFile(_Strict):
    """A role file (roles/*.yaml)."""

    roles: list[RoleEntry]
    """The roles, in the order their columns appear."""


class ActivityEntry(_Strict):
    """One activity: a row of the matrix."""

    id: Text
    """Short unique id, e.g. GD-1."""
    name: Text
    """What is done, e.g. Define the business goal."""
    description: LongText | None = None
    """Details, and where the assignment comes from."""
    raci: dict[Text, Text] = {}
    """Role id to letters, e.g. {R1: A, R3: R, R7: A/R}; a role left out takes no part."""
    lint_ignore: LintIgnore = Field({}, alias="lint-ignore")
    """Rule id to the reason it does not apply to this activity."""
    sign_off: bool = Field(False, alias="sign-off")
    """Whether the activity is a sign-off (a gate: an approval, an acceptance, a go-live): its Accountable
    must be someone other than who does the work, as a role and as a person (rules separate-sign-off and
    separate-sign-off-people)."""
    paths: list[PathPattern] = []
    """Repository paths it governs, as CODEOWNERS patterns (/models/, *.sql, /docs/**/*.md), from the repository's
    top: the codeowners format makes its Accountable's handles their owners."""


class PhaseFile(_Strict):
    """An activity file (activities/*.yaml): one phase of the lifecycle."""

    phase: Text
    """Phase name, e.g. Goal definition."""
    description: LongText | None = None
    """What the phase covers."""
    activities: list[ActivityEntry]
    """The activities of the phase, in order."""


# --- the JSON that `raci-gen build --format json` writes (an output, not an input: no loader reads it) ---------


class OutLetter(_Strict):
    code: str
    """The letter, e.g. R."""
    name: str
    """What it stands for, e.g. Responsible."""
    meaning: str
    """One sentence for the legend."""
    colour: str
    """Cell colour as #RRGGBB."""


class OutVariant(_Strict):
    name: str
    """The variant's name, e.g. RACI."""
    letters: list[OutLetter]
    """The letters, in legend order."""
    combinations: list[str]
    """Multi-letter cells that are settled practice, e.g. ["A/R"]."""


class OutPerson(_Strict):
    name: str
    email: str | None
    team: str | None
    from_: str | None = Field(None, alias="from")
    """First day in the role (YYYY-MM-DD); written only when the input gives it."""
    until: str | None = None
    """Last day in the role (YYYY-MM-DD); written only when the input gives it."""
    note: str | None = None
    """Written only when the input gives it."""
    handles: list[str] = []
    """Code-review handles (CODEOWNERS); written only when the input gives them."""


class OutRole(_Strict):
    id: str
    name: str
    similar: list[str]
    description: str | None
    people: list[OutPerson]
    handles: list[str] = []
    """The role's own code-review handles (CODEOWNERS); written only when the input gives them."""


class OutActivity(_Strict):
    id: str
    name: str
    description: str | None
    raci: dict[str, str]
    """Role id to the cell as the documents write it (A/R); roles that take no part are left out."""
    sign_off: bool = Field(False, alias="sign-off")
    """Whether the activity is a sign-off; written only when it is (true)."""
    paths: list[str] = []
    """The repository paths it governs (CODEOWNERS patterns); written only when the input gives them."""


class OutPhase(_Strict):
    name: str
    description: str | None
    activities: list[OutActivity]


class MatrixDocument(_Strict):
    """The project as `raci-gen build --format json` writes it."""

    format: Literal[1]
    """Version of this layout; it changes only when a key changes meaning or goes away."""
    generator: str
    """raci-gen and its version, e.g. "raci-gen 0.1.0"."""
    input: str
    """Short SHA-256 of the input files, as in every document's provenance line."""
    title: str
    project: str | None
    version: str | None
    author: str | None
    date: str
    """The date shown on the documents."""
    variant: OutVariant
    roles: list[OutRole]
    """The roles, in column order."""
    phases: list[OutPhase]
    """The phases and their activities, in row order."""


SCHEMA_FILES: dict[str, type[_Strict]] = {
    "raci.schema.json": ProjectFile,
    "roles.schema.json": RolesFile,
    "activities.schema.json": PhaseFile,
    "matrix.schema.json": MatrixDocument,
}
"""The JSON Schema files `raci-gen schema` writes: the input files, for editors (yaml-language-server),
and the JSON that `build --format json` writes (matrix.schema.json), for the systems that read it."""


def json_schemas() -> dict[str, str]:
    """Each schema file's text: generated from the models above, so it cannot disagree with the loader.

    The loader checks a few things beyond the models (the form of ids and cells, the names of
    variants and rules); those the JSON Schema can say are added from the same constants
    (:mod:`raci_gen.model.patterns`, the registries), so an editor flags them too.
    """
    import json

    result = {}
    for name, model in SCHEMA_FILES.items():
        body = model.model_json_schema(by_alias=True, mode="validation")
        _add_loader_checks(body, model)
        document = {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": name, **body}
        result[name] = json.dumps(document, indent=2, ensure_ascii=False, sort_keys=False) + "\n"
    return result


def _add_loader_checks(body: dict, model: type[_Strict]) -> None:
    """Add to the generated schema ``body`` of ``model`` what the loader checks outside pydantic."""
    from raci_gen.model.patterns import ID_PATTERN, LETTER_SEPARATORS
    from raci_gen.checks.rules import RULES
    from raci_gen.model.variants import VARIANTS

    # Python's \Z is ECMA-262's $ (no multiline flag): the end of the text, not of a line.
    id_pattern = ID_PATTERN.pattern.replace("\\Z", "$")
    sep = LETTER_SEPARATORS.pattern.rstrip("+")  # a character class such as [\s/,+&]
    cell_pattern = f"^{sep}*[A-Z]([A-Z]|{sep})*$"  # one or more capital letters, with separators between
    rule_ids = sorted(RULES)

    def definition(name: str) -> dict | None:
        return body if name == model.__name__ else body.get("$defs", {}).get(name)

    def prop(model_name: str, key: str) -> dict | None:
        found = definition(model_name)
        return found.get("properties", {}).get(key) if found else None

    for name in ("RoleEntry", "ActivityEntry"):
        if (field := prop(name, "id")) is not None:
            field["pattern"] = id_pattern
        if (field := prop(name, "lint-ignore")) is not None:
            field.setdefault("propertyNames", {})["enum"] = rule_ids
    if (field := prop("ActivityEntry", "raci")) is not None:
        field.setdefault("propertyNames", {})["pattern"] = id_pattern
        if isinstance(field.get("additionalProperties"), dict):
            field["additionalProperties"]["pattern"] = cell_pattern
    if (field := prop("ProjectFile", "lint")) is not None:
        field.setdefault("propertyNames", {})["enum"] = rule_ids
    if (field := prop("ProjectFile", "variant")) is not None:
        for option in field.get("anyOf", []):
            if option.get("type") == "string":
                option["enum"] = list(VARIANTS)


SHAPE_MODELS = ("ProjectFile", "RolesFile", "PhaseFile")
"""The input files' models, whose JSON Schemas :mod:`raci_gen.input.fastcheck` walks (shapes.json)."""


def shapes_text() -> str:
    """The text of ``raci_gen/input/shapes.json``: the input models' JSON Schemas (as pydantic validates,
    by alias) and the SHA-256 of this file, so that a schema.py changed since makes fastcheck stand
    aside. Written by ``python -c "from raci_gen.input.schema import write_shapes; write_shapes()"``."""
    import hashlib
    import json

    with open(__file__, "rb") as fh:
        digest = hashlib.sha256(fh.read()).hexdigest()
    models = {name: globals()[name].model_json_schema(by_alias=True, mode="validation") for name in SHAPE_MODELS}
    return json.dumps({"schema.py": digest, "models": models}, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def write_shapes() -> None:
    """Write ``shapes.json`` beside this module (after a change to the models above)."""
    import os

    with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "shapes.json"), "w", encoding="utf-8") as fh:
        fh.write(shapes_text())
