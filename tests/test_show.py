"""`raci-gen show`: the matrix and one role's view in a terminal, within the width."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest
from click.testing import CliRunner

from raci_gen.checks.analysis import role_view, workload
from raci_gen.cli import main
from raci_gen.input.loader import load_project
from raci_gen.documents.show import show_matrix, show_role

REPO_ROOT = Path(__file__).resolve().parents[1]


def cells(line: str) -> int:
    """Terminal columns of ``line``: East Asian wide and fullwidth characters take two, combining marks none."""
    return sum(0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line)


def assert_fits(text: str, width: int) -> None:
    assert text.endswith("\n") and not text.endswith("\n\n")
    for line in text.split("\n"):
        assert cells(line) <= width, f"{cells(line)} > {width}: {line!r}"
        assert line == line.rstrip(), repr(line)


def show(*args: str):
    return CliRunner().invoke(main, ["show", *args], prog_name="raci-gen")


@pytest.fixture(scope="module")
def many_roles(tmp_path_factory, make_project) -> Path:
    """30 roles, 12 activities over 3 phases: too wide for a grid at 80 columns."""
    roles = [{"id": f"R{i:02d}", "name": f"Role number {i}"} for i in range(1, 31)]
    activities = {}
    for p in range(3):
        activities[f"{p + 1:02d}-phase"] = {"phase": f"Phase {p + 1}", "activities": [
            {"id": f"P{p + 1}-{a}", "name": f"Activity {a} of phase {p + 1} with a rather long name to be clipped",
             "raci": {f"R{(4 * p + a) % 30 + 1:02d}": "A/R", f"R{(4 * p + a + 7) % 30 + 1:02d}": "C",
                      f"R{(4 * p + a + 13) % 30 + 1:02d}": "I"}}
            for a in range(1, 5)]}
    return make_project(tmp_path_factory.mktemp("many"), roles, activities)


@pytest.fixture(scope="module")
def wide(tmp_path_factory, make_project) -> Path:
    """Names in Chinese and Japanese (two columns per character), an emoji, a combining accent."""
    roles = [{"id": "R1", "name": "数据科学家（机器学习）", "people": [{"name": "山田太郎", "team": "データ基盤チーム"}]},
             {"id": "R2", "name": "ソリューションアーキテクト"},
             {"id": "R3", "name": "Cafe\u0301 🚀 Ops"}]
    activities = {"01": {"phase": "目标定义与数据理解阶段，这是一个很长的阶段名称，需要被截断以适应终端宽度", "activities": [
        {"id": "GD-1", "name": "定义业务目标和成功指标，并与所有利益相关者达成一致，确保项目方向正确无误",
         "raci": {"R1": "A/R", "R2": "C", "R3": "I"}},
        {"id": "GD-2", "name": "モデルを本番環境にデプロイし、監視とアラートを設定する作業",
         "raci": {"R2": "A", "R1": "R", "R3": "C"}}]}}
    return make_project(tmp_path_factory.mktemp("wide"), roles, activities)


# --- the matrix ---------------------------------------------------------------------------------------------------


def test_show_prints_every_activity_and_role(example_project):
    result = show(str(REPO_ROOT))
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert_fits(text, 80)  # not a terminal: 80 columns
    words = set(re.findall(r"[A-Za-z0-9._-]+", text))
    for activity in example_project.matrix.activities():
        assert activity.id in words
    for role in example_project.matrix.roles:
        assert role.id in words
    for phase in example_project.matrix.phases:
        assert phase.name in text


def test_the_grid_holds_the_letters(example_project):
    text = show_matrix(example_project.matrix, 80)
    header = text.split("\n")[0].split()
    assert header[:2] == ["ID", "Activity"]
    roles = [r.id for r in example_project.matrix.roles]
    assert header[2:] == roles
    for activity in example_project.matrix.activities():
        # a sign-off's id carries the mark that the line under the matrix explains
        row = next(line for line in text.split("\n") if line.startswith(activity.id + "*" * activity.sign_off + " "))
        letters = row.split()[-len(roles):]
        assert letters == ["/".join(activity.letters(r)) or "·" for r in roles], row


def test_sign_offs_are_marked_and_explained(example_project):
    text = show_matrix(example_project.matrix, 80)
    marked = {line.split()[0][:-1] for line in text.split("\n") if line.split() and line.split()[0].endswith("*")
              and line.split()[0] != "*"}
    assert marked == {a.id for a in example_project.matrix.activities() if a.sign_off} == {"GV-1", "ME-4", "GV-2",
                                                                                            "DP-5"}
    assert "* sign-off: its Accountable signs off work that another role, and another" in text


@pytest.mark.parametrize("width", [40, 60, 80, 100, 140])
def test_the_matrix_fits_the_width(example_project, width):
    assert_fits(show_matrix(example_project.matrix, width), width)


def test_width_option(example_project):
    result = show(str(REPO_ROOT), "--width", "60")
    assert result.exit_code == 0, result.output
    assert_fits(result.stdout, 60)
    assert result.stdout.startswith("ID ")  # seven roles still fit a grid at 60
    for activity in example_project.matrix.activities():
        assert re.search(rf"^{re.escape(activity.id)}\*? ", result.stdout, re.M)  # a sign-off's id carries a *


def test_width_below_40_is_bad_usage():
    result = show(str(REPO_ROOT), "--width", "20")
    assert result.exit_code == 2


def test_thirty_roles_fall_back_to_the_list(many_roles):
    matrix = load_project(str(many_roles)).matrix
    for width in (80, 60, 40):
        text = show_matrix(matrix, width)
        assert_fits(text, width)
        assert not text.startswith("ID ")  # the list layout, not the grid
        for activity in matrix.activities():
            assert re.search(rf"^  {re.escape(activity.id)} ", text, re.M)
            cells_line = text.split(f"  {activity.id} ", 1)[1].split("\n")[1:3]
            listed = " ".join(line.strip() for line in cells_line)
            for cell in activity.cells:
                assert f"{cell.role_id} {cell.text}" in listed
        for role in matrix.roles:  # every role is named, also those without a letter
            assert re.search(rf"\b{role.id}\b", text)
    result = show(str(many_roles))
    assert result.exit_code == 0 and result.stdout == show_matrix(matrix, 80)


def test_a_wide_terminal_shows_thirty_roles_as_a_grid(many_roles):
    text = show_matrix(load_project(str(many_roles)).matrix, 200)
    assert text.startswith("ID ")
    assert_fits(text, 200)


def test_wide_characters_count_twice(wide):
    matrix = load_project(str(wide)).matrix
    for width in (40, 60, 80):
        text = show_matrix(matrix, width)
        assert_fits(text, width)
        for activity in matrix.activities():
            assert activity.id in text
        assert "…" in text  # the long CJK names were clipped, not wrapped past the edge
    for role in matrix.roles:
        for width in (40, 60):
            assert_fits(show_role(matrix, role, width), width)


def test_grid_columns_line_up_with_wide_names(wide):
    text = show_matrix(load_project(str(wide)).matrix, 80)
    rows = [line for line in text.split("\n") if line.startswith("GD-")]
    header = text.split("\n")[0]
    assert len(rows) == 2
    ends = {cells(header)} | {cells(row) for row in rows}
    assert len(ends) == 1, ends  # letters end in the same column on every row


def test_long_cells_keep_the_grid_aligned(tmp_path, make_project):
    root = make_project(tmp_path, [{"id": "R1", "name": "One"}, {"id": "R2", "name": "Two"}],
                        {"01": {"phase": "P", "activities": [
                            {"id": "A-1", "name": "unresolved", "raci": {"R1": "R/C/I", "R2": "A"}},
                            {"id": "A-2", "name": "plain", "raci": {"R1": "A", "R2": "R"}}]}})
    text = show_matrix(load_project(str(root)).matrix, 60)
    assert_fits(text, 60)
    lines = text.split("\n")
    rows = [lines[0]] + [line for line in lines if line.startswith("A-")]
    assert len({len(row) for row in rows}) == 1, rows
    assert rows[1].split()[-2:] == ["C/I/R", "A"] or rows[1].split()[-2:] == ["R/C/I", "A"]


def test_control_characters_do_not_reach_the_terminal(tmp_path, make_project):
    root = make_project(tmp_path, [{"id": "R1", "name": "Evil \x1b[2J\x1b]0;title\x07 role"}],
                        {"01": {"phase": "Phase \x1b[31mred", "activities": [
                            {"id": "A-1", "name": "bell \x07 and \x9b csi", "raci": {"R1": "A/R"}}]}})
    matrix = load_project(str(root)).matrix
    for text in (show_matrix(matrix, 80), show_matrix(matrix, 40), show_role(matrix, matrix.roles[0], 60)):
        assert not re.search(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]", text), repr(text)
        assert "\ufffd" in text


# --- one role -----------------------------------------------------------------------------------------------------


def parse_role(text: str) -> tuple[list[tuple[str, str, int]], list[tuple[str, str, list[str]]]]:
    """(parts as (name, text, count), [(part text, phase, [activity ids])]) from show --role output."""
    parts, groups = [], []
    part = None
    for line in text.split("\n"):
        if m := re.fullmatch(r"(\S.*) \((\S+)\): (\d+)", line):
            part = m[2]
            parts.append((m[1], m[2], int(m[3])))
        elif m := re.fullmatch(r"  (\S.*)", line):
            groups.append((part, m[1], []))
        elif m := re.fullmatch(r"    (\S+?)\*? .*", line):  # a sign-off's id carries a *
            groups[-1][2].append(m[1])
    return parts, groups


@pytest.mark.parametrize("role_id", ["R1", "R3", "R7"])
def test_role_lists_exactly_what_role_view_gives(example_project, role_id):
    matrix = example_project.matrix
    role = matrix.role(role_id)
    result = show(str(REPO_ROOT), "--role", role_id)
    assert result.exit_code == 0, result.output
    assert_fits(result.stdout, 80)
    parts, groups = parse_role(result.stdout)
    view = role_view(matrix, role)
    assert parts == [(name, text, sum(len(a) for _, a in phases)) for text, name, phases in view.parts]
    assert groups == [(text, phase, [a.id for a in activities])
                      for text, _, phases in view.parts for phase, activities in phases]
    load = next(w for w in workload(matrix) if w.role.id == role_id)
    total = sum(1 for _ in matrix.activities())
    assert f"On {load.activities} of {total} activities; responsible or accountable on {load.owns}." in \
        " ".join(result.stdout.split())
    assert result.stdout.startswith(f"{role_id} {role.name}")


def test_role_r7_by_hand(example_project):
    """R7 in the example, as a reader would count it: each activity once, A/R first, then A alone."""
    matrix = example_project.matrix
    parts, groups = parse_role(show_role(matrix, matrix.role("R7")))
    assert [text for _, text, _ in parts] == ["A/R", "A", "R", "C", "I"]  # A alone: AR-4, the feature store
    listed = [a for _, _, ids in groups for a in ids]
    expected = [a.id for a in matrix.activities() if a.letters("R7")]
    assert sorted(listed) == sorted(expected) and len(listed) == len(set(listed))
    for _, text, count in parts:
        assert count == sum(1 for a in matrix.activities() if "/".join(a.letters("R7")) == text)


def test_role_id_is_case_insensitive():
    assert show(str(REPO_ROOT), "--role", "r7").stdout == show(str(REPO_ROOT), "--role", "R7").stdout


def test_role_view_fits_narrow_widths(example_project):
    for role in example_project.matrix.roles:
        for width in (40, 60):
            assert_fits(show_role(example_project.matrix, role, width), width)
    result = show(str(REPO_ROOT), "--role", "R7", "--width", "40")
    assert result.exit_code == 0
    assert_fits(result.stdout, 40)


def test_unknown_role_exits_2_and_lists_the_known_roles():
    result = show(str(REPO_ROOT), "--role", "R9")
    assert result.exit_code == 2
    assert "no role 'R9'" in result.stderr
    assert "known roles: R1, R2, R3, R4, R5, R6, R7" in result.stderr
    assert result.stdout == ""


def test_idle_role(tmp_path, make_project):
    root = make_project(tmp_path, [{"id": "R1", "name": "One"}, {"id": "R2", "name": "Idle"}],
                        {"01": {"phase": "P", "activities": [{"id": "A-1", "name": "a", "raci": {"R1": "A/R"}}]}})
    matrix = load_project(str(root)).matrix
    text = show_role(matrix, matrix.role("R2"))
    assert "On 0 of 1 activities" in text and "Takes part in no activity." in text
    assert "R2" in show_matrix(matrix, 80) and "R2" in show_matrix(matrix, 40)


def test_people_in_the_role_view(wide):
    matrix = load_project(str(wide)).matrix
    text = show_role(matrix, matrix.role("R1"), 40)
    assert_fits(text, 40)
    assert "山田太郎" in text and "データ基盤" in text.replace("\n", "")
