"""An imported matrix as the files of a new project: raci.yaml, roles/roles.yaml, one activities file per phase.

Texts only; :mod:`raci_gen.importers` checks that they load and hands them to the
writer. Every file starts with the yaml-language-server line that ``raci-gen init``
writes, and ``schemas/`` comes along, so editors complete the keys at once.
"""

from __future__ import annotations

import functools
import re
import unicodedata

import yaml

from raci_gen import __version__
from raci_gen.importers.core import ImportedMatrix
from raci_gen.input.schema import json_schemas


@functools.lru_cache(maxsize=65536)  # role ids and letters repeat on every activity: 385,000 dumps for 4,700 x 40
def scalar(value: str) -> str:
    """``value`` as a YAML scalar that reads back as this text (quoted where YAML would read another type)."""
    text = yaml.safe_dump(value, allow_unicode=True, width=10**9, default_flow_style=True)
    return text[:-5] if text.endswith("\n...\n") else text.rstrip("\n")


def slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")[:40].strip("-") or "phase"


def project_files(matrix: ImportedMatrix, source: str) -> dict[str, str]:
    """Relative path -> text of every file of the new project."""
    origin = f"# Imported by raci-gen {__version__} from {_one_line(source)}, {matrix.table}."
    files: dict[str, str] = {}
    title = matrix.title or "RACI matrix"
    files["raci.yaml"] = "\n".join([
        "# yaml-language-server: $schema=schemas/raci.schema.json",
        origin,
        f"title: {scalar(title[:300])}",
        "roles: roles",
        "activities: activities",
        f"variant: {scalar(matrix.variant.name)}",
    ] + [f"# Above the table in the source: {_one_line(text)}" for text in matrix.subtitles] + [""])
    lines = ["# yaml-language-server: $schema=../schemas/roles.schema.json", origin, "roles:"]
    for i, role in enumerate(matrix.roles):
        if i:
            lines.append("")
        lines += [f"  - id: {scalar(role.id)}", f"    name: {scalar(role.name)}"]
        if role.description:
            lines.append(f"    description: {scalar(role.description)}")
    files["roles/roles.yaml"] = "\n".join(lines) + "\n"
    phases = matrix.phases()
    width = max(2, len(str(len(phases))))
    used: set[str] = set()
    position = {r.id: i for i, r in enumerate(matrix.roles)}  # once, not a list search per cell
    by_phase: dict[str, list] = {phase: [] for phase in phases}  # one pass: up to 5,000 phases
    for activity in matrix.activities:
        by_phase[activity.phase].append(activity)
    for n, phase in enumerate(phases, start=1):
        name = f"{n:0{width}d}-{slug(phase)}.yaml"
        used.add(name)
        lines = ["# yaml-language-server: $schema=../schemas/activities.schema.json", origin,
                 f"phase: {scalar(phase[:300])}"]
        if matrix.phase_descriptions.get(phase):
            lines.append(f"description: {scalar(matrix.phase_descriptions[phase])}")
        lines.append("activities:")
        for i, activity in enumerate(by_phase[phase]):
            if i:
                lines.append("")
            lines += [f"  - id: {scalar(activity.id)}", f"    name: {scalar(activity.name)}"]
            if activity.description:
                lines.append(f"    description: {scalar(activity.description)}")
            if activity.sign_off:
                lines.append("    sign-off: true")
            if activity.cells:
                lines.append("    raci:")
                for role_id in sorted(activity.cells, key=position.__getitem__):
                    lines.append(f"      {scalar(role_id)}: {scalar('/'.join(activity.cells[role_id]))}")
            else:
                lines.append("    raci: {}")
        files[f"activities/{name}"] = "\n".join(lines) + "\n"
    for name, text in json_schemas().items():
        if name != "matrix.schema.json":
            files[f"schemas/{name}"] = text
    return files


def _one_line(text: str) -> str:
    return " ".join(text.split())
