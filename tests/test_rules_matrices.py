"""The lint on real-looking matrices, end to end: each test asserts every finding it gives, and nothing else.

Each matrix is one a team could have written: a website relaunch with every cell filled, an ITIL
incident process with one process owner, a three-step DACI decision, a RASCI data-platform matrix
with support-only teams, and a catalogue of data-modelling activities with near-duplicates.
Findings are compared as ``(rule, where, message)``, where ``where`` is the activity id, the role
id, or ``ACTIVITY.ROLE`` for a cell.
"""

from __future__ import annotations

from pathlib import Path

from raci_gen.checks.analysis import lint
from raci_gen.input.loader import load_project


def findings_of(root: Path) -> list[tuple[str, str, str]]:
    project = load_project(str(root))
    places = {}
    for role in project.matrix.roles:
        places[role.location] = role.id
    for activity in project.matrix.activities():
        places[activity.location] = activity.id
        for cell in activity.cells:
            places[cell.location] = f"{activity.id}.{cell.role_id}"
    return [(f.rule, places[f.location], f.message) for f in lint(project.matrix, project.settings)]


def rows(phase: str, *activities: tuple[str, str, dict[str, str]]) -> dict:
    return {"phase": phase, "activities": [{"id": i, "name": n, "raci": r} for i, n, r in activities]}


# --- a fully filled matrix ---------------------------------------------------------------------------------------

RELAUNCH_ROLES = [
    {"id": "PM", "name": "Project manager"}, {"id": "UX", "name": "UX designer"},
    {"id": "DEV", "name": "Web developer"}, {"id": "MKT", "name": "Marketing lead"},
    {"id": "LEGAL", "name": "Legal counsel"},
]


def test_fully_filled_matrix_reports_the_one_role_that_is_everywhere(tmp_path, make_project):
    """Every cell is filled. The project manager answers for every step (the process owner: no finding);
    Legal is consulted on every step, which stands out: one finding. Nothing else."""
    root = make_project(tmp_path, RELAUNCH_ROLES, {"01-relaunch": rows(
        "Relaunch",
        ("W-1", "Agree the goals of the relaunch", {"PM": "A", "UX": "C", "DEV": "C", "MKT": "R", "LEGAL": "C"}),
        ("W-2", "Audit the current content", {"PM": "A", "UX": "R", "DEV": "I", "MKT": "R", "LEGAL": "C"}),
        ("W-3", "Design the page templates", {"PM": "A", "UX": "R", "DEV": "C", "MKT": "C", "LEGAL": "C"}),
        ("W-4", "Build the templates in the CMS", {"PM": "A", "UX": "C", "DEV": "R", "MKT": "I", "LEGAL": "C"}),
        ("W-5", "Write the privacy notice", {"PM": "A", "UX": "I", "DEV": "I", "MKT": "C", "LEGAL": "R"}),
        ("W-6", "Migrate the content", {"PM": "A", "UX": "I", "DEV": "R", "MKT": "R", "LEGAL": "C"}),
        ("W-7", "Test accessibility", {"PM": "A", "UX": "R", "DEV": "R", "MKT": "I", "LEGAL": "C"}),
        ("W-8", "Go live", {"PM": "A/R", "UX": "I", "DEV": "R", "MKT": "C", "LEGAL": "C"}),
    )})
    assert findings_of(root) == [
        ("everywhere-role", "LEGAL", "role LEGAL (Legal counsel) takes part in 8 of 8 activities (100%), "
                                     "not counting Informed (I); more than 90% looks like letters handed out "
                                     "by default"),
    ]


# --- a process-owner matrix: ITIL incident management -----------------------------------------------------------

ITIL_ROLES = [
    {"id": "IM", "name": "Incident manager (process owner)"}, {"id": "SD", "name": "Service desk agent"},
    {"id": "L2", "name": "Second-line support"}, {"id": "L3", "name": "Third-line / supplier"},
    {"id": "PB", "name": "Problem manager"}, {"id": "USER", "name": "Affected user"},
]


def itil(**changes: dict[str, str]) -> dict:
    activities = {
        "INC-1": ("Log the incident", {"IM": "A", "SD": "R", "USER": "C"}),
        "INC-2": ("Categorise and prioritise", {"IM": "A", "SD": "R", "L2": "C"}),
        "INC-3": ("Initial diagnosis", {"IM": "A", "SD": "R", "L2": "C"}),
        "INC-4": ("Escalate to second line", {"IM": "A", "SD": "R", "L2": "I"}),
        "INC-5": ("Investigate and diagnose", {"IM": "A", "L2": "R", "L3": "C"}),
        "INC-6": ("Escalate to a supplier", {"IM": "A", "L2": "R", "L3": "I"}),
        "INC-7": ("Resolve and recover", {"IM": "A", "L2": "R", "L3": "R", "SD": "I"}),
        "INC-8": ("Confirm the resolution with the user", {"IM": "A", "SD": "R", "USER": "C"}),
        "INC-9": ("Close the incident", {"IM": "A", "SD": "R", "USER": "I"}),
        "INC-10": ("Hand recurring incidents to problem management", {"IM": "A", "PB": "R", "L2": "C"}),
    }
    for aid, raci in changes.items():
        activities[aid] = (activities[aid][0], raci)
    return rows("Incident management", *((aid, name, raci) for aid, (name, raci) in activities.items()))


def test_process_owner_accountable_on_every_activity_is_not_overloaded(tmp_path, make_project):
    """The incident manager is A on all ten steps: the process owner, not a bottleneck. The service desk
    does six of ten steps: that is its load, and the one finding."""
    root = make_project(tmp_path, ITIL_ROLES, {"incident": itil()})
    assert findings_of(root) == [
        ("overloaded-role", "SD", "role SD (Service desk agent) is Accountable (A) or Responsible (R) on 6 of 10 "
                                  "activities (60%); more than 50% makes it a bottleneck"),
        ("role-without-ownership", "USER", "role USER (Affected user) is only Consulted (C) or Informed (I), never "
                                           "Accountable (A) or Responsible (R); is it a stakeholder rather than a "
                                           "role of the team?"),
    ]


def test_process_owner_who_also_does_most_of_the_work_is_overloaded(tmp_path, make_project):
    root = make_project(tmp_path, ITIL_ROLES, {"incident": itil(**{
        "INC-2": {"IM": "A/R", "L2": "C"}, "INC-3": {"IM": "A/R", "L2": "C"}, "INC-4": {"IM": "A/R", "L2": "I"},
        "INC-5": {"IM": "A/R", "L3": "C"}, "INC-6": {"IM": "A/R", "L3": "I"}, "INC-9": {"IM": "A/R", "USER": "I"},
    })})
    assert findings_of(root) == [
        ("overloaded-role", "IM", "role IM (Incident manager (process owner)) does the work (Responsible (R)) on "
                                  "6 of 10 activities (60%), besides answering for every activity as the process "
                                  "owner; more than 50% makes it a bottleneck"),
        ("role-without-ownership", "USER", "role USER (Affected user) is only Consulted (C) or Informed (I), never "
                                           "Accountable (A) or Responsible (R); is it a stakeholder rather than a "
                                           "role of the team?"),
    ]


def test_a_second_accountable_breaks_the_process_owner_pattern(tmp_path, make_project):
    """With the problem manager A on one step, the incident manager answers for 9 of 10 while others work:
    no longer one process owner, and A on 90% of the steps is a bottleneck of sign-offs."""
    root = make_project(tmp_path, ITIL_ROLES, {"incident": itil(**{"INC-10": {"PB": "A/R", "L2": "C"}})})
    assert [(rule, where) for rule, where, _ in findings_of(root)] == [
        ("overloaded-role", "IM"), ("overloaded-role", "SD"), ("role-without-ownership", "USER")]


# --- a three-activity DACI --------------------------------------------------------------------------------------

def test_three_step_daci_reports_a_missing_driver_once_in_its_own_words(tmp_path, make_project):
    roles = [{"id": "CTO", "name": "CTO"}, {"id": "LEAD", "name": "Tech lead"}, {"id": "SEC", "name": "Security"},
             {"id": "FIN", "name": "Finance"}]
    root = make_project(tmp_path, roles, {"decision": rows(
        "Choose the cloud provider",
        ("DEC-1", "Shortlist the providers", {"LEAD": "D", "CTO": "A", "SEC": "C", "FIN": "I"}),
        ("DEC-2", "Compare the costs", {"CTO": "A", "FIN": "C", "LEAD": "C"}),
        ("DEC-3", "Decide and announce", {"LEAD": "D", "CTO": "A", "SEC": "C", "FIN": "C"}),
    )}, {"variant": "DACI"})
    # Three steps are too few to judge who is everywhere or overloaded; DEC-2 lacks a Driver, said once.
    assert findings_of(root) == [
        ("one-accountable", "DEC-2", "activity DEC-2 has no Driver (D); give exactly one role D"),
    ]


# --- a RASCI with support-only roles ----------------------------------------------------------------------------

def test_rasci_support_only_roles_help_do_the_work(tmp_path, make_project):
    roles = [{"id": "HEAD", "name": "Head of data"}, {"id": "DE", "name": "Data engineer"},
             {"id": "PLAT", "name": "Platform team"}, {"id": "SECOPS", "name": "Security operations"},
             {"id": "ANALYST", "name": "Analysts"}]
    root = make_project(tmp_path, roles, {"platform": rows(
        "Data platform",
        ("DP-1", "Provision the warehouse", {"HEAD": "A", "DE": "R", "PLAT": "S", "SECOPS": "S", "ANALYST": "I"}),
        ("DP-2", "Build the ingestion jobs", {"HEAD": "A", "DE": "R", "PLAT": "S", "ANALYST": "C"}),
        ("DP-3", "Set up access control", {"HEAD": "A", "DE": "R", "SECOPS": "S", "ANALYST": "I"}),
        ("DP-4", "Publish the first dashboards", {"HEAD": "A", "PLAT": "S", "ANALYST": "C"}),
    )}, {"variant": "RASCI"})
    # PLAT and SECOPS are only ever S: they help, so role-without-ownership says nothing of them; the analysts
    # only hear and are asked. DP-4 has Support but nobody Responsible: one error, not a second warning from
    # letter-needs.
    assert findings_of(root) == [
        ("someone-responsible", "DP-4", "activity DP-4 has no Responsible (R); say who does the work"),
        ("role-without-ownership", "ANALYST", "role ANALYST (Analysts) is only Consulted (C) or Informed (I), never "
                                              "Accountable (A), Responsible (R) or Support (S); is it a stakeholder "
                                              "rather than a role of the team?"),
    ]


# --- near-duplicate activities ----------------------------------------------------------------------------------

def test_near_duplicate_activities_are_reported_with_both_places(tmp_path, make_project):
    roles = [{"id": "ARCH", "name": "Data architect"}, {"id": "DEV", "name": "Developer"},
             {"id": "DBA", "name": "Database administrator"}]
    root = make_project(tmp_path, roles, {
        "01-model": rows("Model the data",
                         ("DM-1", "Draw the Entity Relationship Diagrams", {"ARCH": "A/R", "DEV": "C"}),
                         ("DM-2", "Review the logical data model", {"ARCH": "A", "DBA": "R", "DEV": "I"})),
        "02-build": rows("Build the database",
                         ("DB-1", "Draw ER diagrams", {"ARCH": "A", "DEV": "R", "DBA": "C"}),
                         ("DB-2", "Review the logical data-model.", {"ARCH": "A", "DBA": "R", "DEV": "I"}),
                         ("DB-3", "Tune the indexes", {"DBA": "A/R", "DEV": "C"})),
    })
    first = load_project(str(root)).matrix.phases[0].activities
    assert findings_of(root) == [
        ("duplicate-activity", "DB-1", f"activity DB-1 'Draw ER diagrams' is, with words written as initials, "
                                       f"named as DM-1 'Draw the Entity Relationship Diagrams' ({first[0].location}); "
                                       f"their letters differ (ARCH: A/R vs A, DEV: C vs R, DBA: - vs C): settle "
                                       f"them in one activity, or rename one to say how they differ"),
        ("duplicate-activity", "DB-2", f"activity DB-2 'Review the logical data-model.' has the same name as DM-2 "
                                       f"'Review the logical data model' ({first[1].location}); the letters are "
                                       f"the same too: keep one, or rename one to say how they differ"),
    ]


def test_duplicate_activity_stays_fast_on_5000_activities(tmp_path, make_project):
    """Not a timing test: the number of difflib comparisons stays linear (bounded per name)."""
    import difflib

    from raci_gen.checks.rules import duplicate_activity

    calls = 0
    original = difflib.SequenceMatcher.ratio

    def counting(self):
        nonlocal calls
        calls += 1
        return original(self)

    verbs = ["Review", "Approve", "Build", "Test", "Deploy", "Monitor", "Document", "Train"]
    things = ["model", "pipeline", "feature", "dataset", "dashboard", "report", "service", "store", "policy"]
    names = [f"{verbs[i % 8]} the {things[i % 9]} {things[(i // 9) % 9]} number {i}" for i in range(5000)]
    root = make_project(tmp_path, [{"id": "R1", "name": "Owner"}], {"big": rows(
        "Big", *((f"A-{i}", name, {"R1": "A/R"}) for i, name in enumerate(names)))})
    matrix = load_project(str(root)).matrix
    try:
        difflib.SequenceMatcher.ratio = counting
        hits = list(duplicate_activity.check(matrix, dict(duplicate_activity.OPTIONS)))
    finally:
        difflib.SequenceMatcher.ratio = original
    # Each name shares at most 6 buckets (its 5 words, all and all but one) of at most BUCKET_LIMIT names.
    assert calls <= 6 * duplicate_activity.BUCKET_LIMIT * len(names)
    assert hits == []  # they differ in their number
