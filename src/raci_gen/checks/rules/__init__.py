"""The lint rules, registered in one place.

Registering a rule is one entry in :data:`RULES`. Each rule is a module with
``ID`` (kebab-case), ``SEVERITY`` (error, warning, info or off), ``OPTIONS``
(name to default), ``SUMMARY`` (one line), a docstring with a passing and a
failing example, and ``check(matrix, options)`` yielding
:class:`~raci_gen.checks.findings.Hit` objects. The order here is the order of
``raci-gen rules`` and of the table in docs/lint.md.
"""

from __future__ import annotations

from types import ModuleType

from raci_gen.checks.rules import (
    at_most_one, duplicate_activity, empty_activity, everywhere_role, hidden_character, idle_role, letter_needs,
    no_blank_cell, no_communication, one_accountable, overloaded_role, role_without_ownership, someone_responsible,
    too_many_consulted,
    too_many_informed, too_many_responsible, unresolved_cell,
)
from raci_gen.checks.rules import separate_sign_off, separate_sign_off_people
from raci_gen.checks.rules import hand_over_due, vacant_role
from raci_gen.checks.rules import codeowners_handle, codeowners_no_handle, codeowners_same_path

RULES: dict[str, ModuleType] = {rule.ID: rule for rule in (
    # across each activity
    one_accountable,
    someone_responsible,
    empty_activity,
    too_many_responsible,
    too_many_consulted,
    too_many_informed,
    no_communication,
    unresolved_cell,
    at_most_one,
    letter_needs,
    no_blank_cell,
    duplicate_activity,
    # on each sign-off, as roles and as people
    separate_sign_off,
    separate_sign_off_people,
    # down each role
    idle_role,
    role_without_ownership,
    overloaded_role,
    everywhere_role,
    # the people in post on the day read for (from/until)
    vacant_role,
    hand_over_due,
    # the owners CODEOWNERS gets (paths:, handles:)
    codeowners_handle,
    codeowners_no_handle,
    codeowners_same_path,
    # every text
    hidden_character,
)}
