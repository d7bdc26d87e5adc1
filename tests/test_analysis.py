"""raci_gen.checks.analysis: workload per role and per phase, and one role's view, against hand-counted matrices."""

from __future__ import annotations

import pytest

from raci_gen.checks.analysis import phase_workload, role_view, workload
from raci_gen.input.loader import load_project

ROLES = [{"id": f"R{i}", "name": f"Role {i}"} for i in range(1, 6)]  # R5 takes part in nothing
PLAN = {"phase": "Plan", "activities": [
    {"id": "A-1", "name": "one", "raci": {"R1": "I", "R2": "A/R"}},
    {"id": "A-2", "name": "two", "raci": {"R1": "C", "R2": "A", "R3": "R"}},
    {"id": "A-3", "name": "three", "raci": {"R1": "R", "R3": "A", "R4": "C"}},
]}
BUILD = {"phase": "Build", "activities": [
    {"id": "B-1", "name": "four", "raci": {"R1": "A", "R2": "R", "R4": "I"}},
    {"id": "B-2", "name": "five", "raci": {"R1": "AR", "R3": "C", "R4": "I"}},
    {"id": "B-3", "name": "six", "raci": {"R1": "R", "R2": "A", "R3": "I"}},
    {"id": "B-4", "name": "seven", "raci": {"R1": "R/A", "R4": "C"}},
]}


@pytest.fixture(scope="module")
def matrix(tmp_path_factory, make_project):
    root = make_project(tmp_path_factory.mktemp("small"), ROLES, {"01-plan": PLAN, "02-build": BUILD})
    return load_project(str(root)).matrix


def test_workload_by_hand(matrix):
    # Counted from the tables above; A/R (also written AR and R/A) counts once for A and once for R.
    expected = {
        #      A  R  C  I  on owns
        "R1": (3, 4, 1, 1, 7, 5),  # I A-1, C A-2, R A-3, A B-1, A/R B-2, R B-3, A/R B-4
        "R2": (3, 2, 0, 0, 4, 4),  # A/R A-1, A A-2, R B-1, A B-3
        "R3": (1, 1, 1, 1, 4, 2),  # R A-2, A A-3, C B-2, I B-3
        "R4": (0, 0, 2, 2, 4, 0),  # C A-3, I B-1, I B-2, C B-4
        "R5": (0, 0, 0, 0, 0, 0),
    }
    result = workload(matrix)
    assert [w.role.id for w in result] == ["R1", "R2", "R3", "R4", "R5"]
    for w in result:
        assert (w.counts["A"], w.counts["R"], w.counts["C"], w.counts["I"], w.activities, w.owns) == \
            expected[w.role.id], w.role.id
        assert list(w.counts) == ["R", "A", "C", "I"]  # every letter of the variant, in legend order


def test_workload_totals_match_the_cells(matrix):
    cells = [c for a in matrix.activities() for c in a.cells]
    for code in "RACI":
        assert sum(w.counts[code] for w in workload(matrix)) == sum(code in c.letters for c in cells)


def test_phase_workload_by_hand(matrix):
    assert phase_workload(matrix) == [
        ("Plan", {"R": 3, "A": 3, "C": 2, "I": 1}),   # I A R; A-2: C A R; A-3: R A C
        ("Build", {"R": 4, "A": 4, "C": 2, "I": 3}),  # B-1: A R I; B-2: A R C I; B-3: R A I; B-4: A R C
    ]


def test_role_view_orders_ar_a_r_c_i(matrix):
    """R1 holds I, C, R, A, A/R in file order; the view puts them A/R, A, R, C, I, grouped by phase."""
    view = role_view(matrix, matrix.role("R1"))
    assert view.role.id == "R1"
    got = [(text, name, [(phase, [a.id for a in acts]) for phase, acts in phases]) for text, name, phases in view.parts]
    assert got == [
        ("A/R", "Accountable and Responsible", [("Build", ["B-2", "B-4"])]),
        ("A", "Accountable", [("Build", ["B-1"])]),
        ("R", "Responsible", [("Plan", ["A-3"]), ("Build", ["B-3"])]),
        ("C", "Consulted", [("Plan", ["A-2"])]),
        ("I", "Informed", [("Plan", ["A-1"])]),
    ]


def test_role_view_leaves_out_parts_not_played(matrix):
    assert [text for text, _, _ in role_view(matrix, matrix.role("R4")).parts] == ["C", "I"]
    assert [text for text, _, _ in role_view(matrix, matrix.role("R2")).parts] == ["A/R", "A", "R"]
    assert role_view(matrix, matrix.role("R5")).parts == []


def test_role_view_agrees_with_workload(matrix):
    for w in workload(matrix):
        view = role_view(matrix, w.role)
        listed = [a.id for _, _, phases in view.parts for _, acts in phases for a in acts]
        assert len(listed) == len(set(listed)) == w.activities
        for code in "RACI":
            assert sum(len(acts) for text, _, phases in view.parts if code in text.split("/")
                       for _, acts in phases) == w.counts[code]


def test_role_view_of_the_example(example_project):
    matrix = example_project.matrix
    for role in matrix.roles:
        view = role_view(matrix, role)
        texts = [text for text, _, _ in view.parts]
        rank = {"A/R": 0, "A": 1, "R": 2, "C": 3, "I": 4}
        assert texts == sorted(texts, key=rank.__getitem__), (role.id, texts)
        phase_order = [p.name for p in matrix.phases]
        for _, _, phases in view.parts:
            names = [name for name, _ in phases]
            assert names == sorted(names, key=phase_order.index)  # phases in matrix order, each once


def test_unresolved_cells_come_with_their_first_letter(tmp_path, make_project):
    """A cell of two letters that is not A/R (lint warns about it) sorts with its first letter, before it alone."""
    root = make_project(tmp_path, [{"id": "R1", "name": "One"}, {"id": "R2", "name": "Two"}],
                        {"01": {"phase": "P", "activities": [
                            {"id": "X-1", "name": "a", "raci": {"R1": "I", "R2": "A/R"}},
                            {"id": "X-2", "name": "b", "raci": {"R1": "C/R", "R2": "A"}},
                            {"id": "X-3", "name": "c", "raci": {"R1": "R", "R2": "A"}},
                            {"id": "X-4", "name": "d", "raci": {"R1": "A", "R2": "R"}}]}})
    matrix = load_project(str(root)).matrix
    view = role_view(matrix, matrix.role("R1"))
    assert [text for text, _, _ in view.parts] == ["A", "R/C", "R", "I"]
    assert view.parts[1][1] == "Responsible and Consulted"
    w = next(w for w in workload(matrix) if w.role.id == "R1")
    assert (w.counts["A"], w.counts["R"], w.counts["C"], w.counts["I"], w.activities, w.owns) == (1, 2, 1, 1, 4, 3)


def test_multi_letter_cells_follow_the_writing_order(tmp_path, make_project):
    root = make_project(tmp_path, [{"id": "R1", "name": "One"}, {"id": "R2", "name": "Two"}],
                        {"01": {"phase": "P", "activities": [
                            {"id": "X-1", "name": "a", "raci": {"R1": "A/C", "R2": "R"}},
                            {"id": "X-2", "name": "b", "raci": {"R1": "A/R"}}]}})
    matrix = load_project(str(root)).matrix
    assert [text for text, _, _ in role_view(matrix, matrix.role("R1")).parts] == ["A/R", "A/C"]


def test_cairo_out_of_the_loop_is_counted_but_not_taking_part(tmp_path, make_project):
    root = make_project(tmp_path, [{"id": "R1", "name": "One"}, {"id": "R2", "name": "Two"}],
                        {"01": {"phase": "P", "activities": [
                            {"id": "X-1", "name": "a", "raci": {"R1": "A/R", "R2": "O"}},
                            {"id": "X-2", "name": "b", "raci": {"R1": "A/R", "R2": "O"}},
                            {"id": "X-3", "name": "c", "raci": {"R1": "A", "R2": "R"}}]}},
                        {"variant": "CAIRO"})
    matrix = load_project(str(root)).matrix
    r2 = next(w for w in workload(matrix) if w.role.id == "R2")
    assert r2.counts["O"] == 2 and r2.counts["R"] == 1
    assert r2.activities == 1 and r2.owns == 1
    assert phase_workload(matrix) == [("P", {"R": 3, "A": 3, "C": 0, "I": 0, "O": 2})]
