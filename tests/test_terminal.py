"""What reaches a terminal: project text with control and bidi characters shown escaped, never obeyed.

The last test runs the real command line (lint, diff, build, show) in subprocesses on a
project whose names carry the sequences an attacker would use (OSC 52 to set the clipboard,
clear screen, BEL, a C1 CSI, bidi overrides) and reads the raw bytes of stdout and stderr.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from raci_gen.runtime.terminal import printable

from conftest import write_project

ESC = "\x1b"
HOSTILE = {
    "osc52": f"{ESC}]52;c;cm0gLXJmIH4=\x07",
    "clear": f"{ESC}[2J{ESC}[H",
    "c1": "\x9b31mred\x9b0m",
    "bidi": "admin\u202e\u2066txt.exe\u2069",
}


@pytest.mark.parametrize(("text", "shown"), [
    ("plain text", "plain text"),
    ("two\nlines\tand a tab", "two\nlines\tand a tab"),
    (f"{ESC}[2J", "\\x1b[2J"),
    ("bell\x07", "bell\\x07"),
    ("cr\rover", "cr\\rover".replace("\\r", "\\x0d")),
    ("del\x7f", "del\\x7f"),
    ("c1\x9b", "c1\\x9b"),
    ("\u202eabc", "\\u202eabc"),
    ("\u2066x\u2069", "\\u2066x\\u2069"),
    ("\u200e\u200f\u061c", "\\u200e\\u200f\\u061c"),
    ("ünïcødé 中文 🙂", "ünïcødé 中文 🙂"),
])
def test_printable_escapes_controls_and_keeps_the_rest(text, shown):
    assert printable(text) == shown
    assert printable(printable(text)) == printable(text)  # escaping twice changes nothing more


def _unsafe(text: str) -> list[str]:
    return [f"U+{ord(c):04X}" for c in text
            if (ord(c) < 0x20 and c not in "\n\t") or 0x7F <= ord(c) <= 0x9F
            or c in "\u061c\u200e\u200f\u2028\u2029\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"]


def _yaml_string(text: str) -> str:
    return json.dumps(text)  # JSON strings are YAML double-quoted strings (\u escapes included)


def _hostile_project(root: Path, extra_role: bool) -> Path:
    roles = [
        {"id": "R1", "name": "Owner " + HOSTILE["osc52"], "description": "Sets " + HOSTILE["clear"]},
        {"id": "R2", "name": "Builder " + HOSTILE["c1"], "similar": [HOSTILE["bidi"]]},
    ]
    if extra_role:
        roles.append({"id": "R3", "name": "Idle " + HOSTILE["bidi"]})
    lines = ["roles:"]
    for role in roles:
        lines.append(f"  - id: {role['id']}")
        lines.append(f"    name: {_yaml_string(role['name'])}")
        if "description" in role:
            lines.append(f"    description: {_yaml_string(role['description'])}")
        if "similar" in role:
            lines.append(f"    similar: [{', '.join(_yaml_string(s) for s in role['similar'])}]")
    activities = (f"phase: {_yaml_string('Build ' + HOSTILE['clear'])}\nactivities:\n"
                  f"  - id: A1\n    name: {_yaml_string('Ship ' + HOSTILE['osc52'])}\n    raci: {{R1: A, R2: R}}\n")
    return write_project(root, "\n".join(lines) + "\n", {"01-build": activities})


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "COLUMNS": "100"}
    return subprocess.run([sys.executable, "-m", "raci_gen", *args], cwd=cwd, capture_output=True, env=env,
                          stdin=subprocess.DEVNULL, timeout=300)


def test_no_control_sequence_reaches_the_terminal(tmp_path):
    old = _hostile_project(tmp_path / "old", extra_role=False)
    new = _hostile_project(tmp_path / "new", extra_role=True)
    runs = {
        "lint": _run("lint", str(new), cwd=tmp_path),
        "lint github": _run("lint", str(new), "--format", "github", cwd=tmp_path),
        "lint json": _run("lint", str(new), "--format", "json", cwd=tmp_path),
        "lint sarif": _run("lint", str(new), "--format", "sarif", cwd=tmp_path),
        "diff": _run("diff", str(old), str(new), cwd=tmp_path),
        "diff markdown": _run("diff", str(old), str(new), "--format", "markdown", cwd=tmp_path),
        "build": _run("build", str(new), "-f", "md", "--out", str(tmp_path / "out1"), cwd=tmp_path),
        "build no-lint": _run("build", str(new), "-f", "md", "--no-lint", "--out", str(tmp_path / "out2"),
                              cwd=tmp_path),
        "show": _run("show", str(new), cwd=tmp_path),
        "show role": _run("show", str(new), "--role", "R1", cwd=tmp_path),
    }
    for name, run in runs.items():
        raw = run.stdout + run.stderr
        assert run.returncode in (0, 1), (name, run.returncode, raw[-2000:])
        assert b"Traceback" not in raw, (name, raw[-2000:])
        assert b"\x1b" not in raw and b"\x07" not in raw, (name, raw[:2000])
        text = raw.decode("utf-8")
        assert _unsafe(text) == [], (name, _unsafe(text), text[:2000])
    # What was hidden is shown, escaped.
    assert "\\u202e" in runs["diff"].stdout.decode()
    assert "\\u202e" in runs["lint"].stdout.decode()
    # JSON keeps the data exact: a parser reads the very characters back.
    report = json.loads(runs["lint json"].stdout)
    assert any(f["rule"] == "hidden-character" for f in report["findings"])
    assert any(HOSTILE["bidi"] in f["message"] for f in report["findings"]) or \
        any("R3" in f["message"] for f in report["findings"])
    json.loads(runs["lint sarif"].stdout)
