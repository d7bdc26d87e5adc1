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
from typing import Sequence

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

    A heading may end up with its slug under either rule, or its slug numbered ``-1`` to
    ``-N`` (N headings in all) when it repeats. A role's plain anchor is its own only when
    no heading before it can take it in any of these forms, and no other heading can take
    it numbered. Each heading's slugs are filed once, and each role's anchor is looked up
    in that file and split once at its last ``-``: time and memory grow with the number of
    headings, not with its square (a document of 20,000 phase headings would otherwise
    file 800 million ids).
    """
    count = len(headings)
    # The headings each slug (under either rule) belongs to, in order.
    holders: dict[str, list[int]] = {}
    for index, (text, _) in enumerate(headings):
        for slug in {github_slug(text), gitlab_slug(text)}:
            holders.setdefault(slug, []).append(index)
    anchors = {}
    for own, (text, role_id) in enumerate(headings):
        if role_id is None:
            continue
        plain = "role-" + role_id.lower()
        if _only_own(plain, own, text, holders, count):
            anchors[role_id] = plain
        else:
            anchors[role_id] = "role." + role_id.lower()
    return anchors


_REPEAT = re.compile(r"(.*)-([1-9][0-9]*)", re.S)
"""A slug numbered as a repeat: the slug, ``-``, and the number as ``str`` writes it."""


def _only_own(anchor: str, own: int, text: str, holders: dict[str, list[int]], count: int) -> bool:
    """Whether ``anchor`` can only be the id of heading number ``own``, under both rules.

    True when that heading's slug is ``anchor`` under both rules, every other heading with that
    slug comes after it (and so gets a number instead), and no other heading's slug numbered as
    a repeat (``-1`` to ``-count``) is ``anchor``.
    """
    if not (github_slug(text) == gitlab_slug(text) == anchor):
        return False
    if holders.get(anchor, [own])[0] < own:
        return False
    repeat = _REPEAT.fullmatch(anchor)
    if repeat is not None and int(repeat.group(2)) <= count:
        return all(index == own for index in holders.get(repeat.group(1), ()))
    return True
