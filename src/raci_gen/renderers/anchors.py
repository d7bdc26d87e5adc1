"""Anchors of the role sections that hold on GitHub and GitLab alike, whatever the ids and phase names.

A wiki gives every heading an id made from its text (its *slug*), and the two big ones
make it differently: GitHub lowercases, drops punctuation except ``-`` and ``_`` and turns
each space into ``-``; GitLab does the same and then collapses runs of ``-`` into one. Both
number repeated slugs (``-1``, ``-2``, …). So "Role R1" is ``#role-r1`` on both, but
"Role R--3" is ``#role-r--3`` on GitHub and ``#role-r-3`` on GitLab, the roles ``R1`` and
``R.1`` both slug to ``role-r1``, and a phase named "Role R1" would take that id first.

A role keeps the plain anchor ``role-<id>`` (the heading's own slug, so old links keep
working) when no other heading of the document can take it under either rule. Otherwise
its heading carries an explicit ``<a name="role.<id>">`` anchor (GitLab keeps ``name`` on
links, GitHub keeps both ``name`` and ``id``): a slug never holds a ``.``, so no heading can
take it, and ids are unique ignoring case, so no other role can either.
"""

from __future__ import annotations

import re
from typing import Iterable, Sequence

_NOT_SLUG = re.compile(r"[^\w\- ]")
_HYPHENS = re.compile(r"-{2,}")


def github_slug(text: str) -> str:
    """The id GitHub gives a heading with this text (before numbering repeats)."""
    return _NOT_SLUG.sub("", text.strip().lower()).replace(" ", "-")


def gitlab_slug(text: str) -> str:
    """The id GitLab gives a heading with this text (before numbering repeats)."""
    return _HYPHENS.sub("-", github_slug(text))


def role_anchors(headings: Sequence[tuple[str, str | None]]) -> dict[str, str]:
    """Anchor of each role's section, for a document whose headings are ``headings`` in order.

    Each heading is (text, role id) for a role's own heading, (text, None) for any other.
    The list may hold headings a given document leaves out: that only reserves more ids.
    """
    count = len(headings)
    # Every id a heading could end up with, under either rule, with whatever number a repeat gets.
    takers: dict[str, list[tuple[int, int]]] = {}
    for index, (text, _) in enumerate(headings):
        for slug in {github_slug(text), gitlab_slug(text)}:
            for repeat in range(count + 1):
                takers.setdefault(slug if repeat == 0 else f"{slug}-{repeat}", []).append((index, repeat))
    anchors = {}
    for own, (text, role_id) in enumerate(headings):
        if role_id is None:
            continue
        plain = "role-" + role_id.lower()
        if _only_own(plain, own, takers.get(plain, []), text):
            anchors[role_id] = plain
        else:
            anchors[role_id] = "role." + role_id.lower()
    return anchors


def _only_own(anchor: str, own: int, takers: Iterable[tuple[int, int]], text: str) -> bool:
    """Whether ``anchor`` can only be the id of heading number ``own``, under both rules.

    True when that heading's slug is ``anchor`` under both rules and every other heading that
    could take the id comes after it with the same slug (and so gets a number instead).
    """
    if not (github_slug(text) == gitlab_slug(text) == anchor):
        return False
    return all(index == own or (index > own and repeat == 0) for index, repeat in takers)
