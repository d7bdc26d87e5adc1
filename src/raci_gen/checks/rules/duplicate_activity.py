"""No activity appears twice under the same or nearly the same name.

Two rows for one piece of work split its letters: one row says R3 does it, the
other says R5, and neither is the whole truth. Names are compared after
normalising them: case, punctuation, possessives and plurals, small words
(the, of, and, ...) and word breaks ("run-book", "runbook") do not count, and
an abbreviation matches the words it stands for by their initials ("ER" for
"Entity Relationship"). Beyond that, two
names whose normalised text is at least ``min-similarity`` alike (difflib's
ratio, default 0.9) are reported too: a typo such as "Deploy the modle
to staging". Names shorter than 16 characters once normalised are left out of
that comparison: there one letter makes another word ("monitor data", "monitor
date"); so are names that differ in a number ("Review release 1", "Review
release 2").

Reported once per repeated activity, at the later one, naming the first one
and its place, and which roles' letters differ.

Cost: names are bucketed by their normalised words, so that only names sharing
all words but one are compared with difflib, and abbreviations and near-ness
are looked for in names of up to 12 words (longer ones are compared whole and
with their words reordered); the rule takes about a second for the loader's
limit of 5,000 activities (benchmarks/bench_duplicates.py). A name is compared
with the earlier ones only until the first near one, and difflib's work is
bounded (``NEAR_BUDGET``, about 2 s): names made to share all words but one with
dozens of others each (4,913 of them took 160 s) stop there, and the rule says
at which activity.

Passes::

    Design the Entity Relationship Diagrams
    Review the data model

Fails::

    Design the Entity Relationship Diagrams
    Design ER diagrams
"""

from __future__ import annotations

import collections
import difflib
import functools
import re
from typing import Iterator

from raci_gen.checks.findings import Hit
from raci_gen.model.matrix import Activity, Matrix

ID = "duplicate-activity"
SEVERITY = "warning"
OPTIONS: dict[str, object] = {"min-similarity": 0.9}
SUMMARY = ("No two activities have the same or nearly the same name (normalised; abbreviations by initials; "
           "`min-similarity` default 0.9).")

SMALL_WORDS = frozenset("a an the of and or for to in on at by with from into its their per via".split())
"""Words that carry no meaning of their own in an activity name ("not" and "no" do, and stay)."""
LONGEST_ABBREVIATION = 5
"""Initials of up to this many consecutive words are tried as an abbreviation."""
SHORTEST_NEAR = 16
"""Normalised names shorter than this are not compared for near-ness: in a short name one letter is a
different word ("monitor data", "monitor date"), not a typo."""
MOST_WORDS = 12
"""Abbreviations and near-ness are looked for in names of up to this many words (the cost of both grows with
the square of the length); longer names are compared as they are, and with their words reordered."""
BUCKET_LIMIT = 30
"""Names sharing a bucket beyond this many are not compared pairwise there (they share only common words)."""
NEAR_BUDGET = 5_000_000
"""The work of difflib's ratio a lint may spend on nearly the same names, counted for each pair compared as
the pairs of equal letters of the two names (difflib spends 0.15-0.4 us on each)."""


def words(name: str) -> tuple[str, ...]:
    """The words that make a name, normalised: ``"The Model's Tests"`` -> ``("model", "test")``."""
    text = name.casefold()
    text = re.sub(r"['’]s\b", "", text)       # possessives
    text = re.sub(r"[.'’]", "", text)          # E.R. -> er, don't -> dont
    result = []
    for word in re.split(r"[^\w]+|_", text):
        if not word or word in SMALL_WORDS:
            continue
        result.append(_singular(word))
    return tuple(result)


@functools.lru_cache(maxsize=8192)
def _singular(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def abbreviated(tokens: tuple[str, ...]) -> set[tuple[str, ...]]:
    """The name with one run of 2 to 5 consecutive words written as their initials:
    ``(entity, relationship, diagram)`` -> ``(er, diagram)``, ``(erd,)``, ``(entity, rd)``, ..."""
    forms = set()
    for start in range(len(tokens)):
        for end in range(start + 2, min(start + LONGEST_ABBREVIATION, len(tokens)) + 1):
            initials = "".join(t[0] for t in tokens[start:end])
            forms.add(tokens[:start] + (initials,) + tokens[end:])
    return forms


def check(matrix: Matrix, options: dict) -> Iterator[Hit]:
    activities = list(matrix.activities())
    normal = [words(a.name) for a in activities]
    first_of: dict[int, tuple[int, str]] = {}  # later index -> (earlier index, how alike)

    def pair(i: int, j: int, how: str) -> None:
        early, late = min(i, j), max(i, j)
        if late not in first_of or early < first_of[late][0]:
            first_of[late] = (early, how)

    # The same words, in the same order: the same name.
    by_words: dict[tuple[str, ...], int] = {}
    for i, tokens in enumerate(normal):
        if not tokens:
            continue
        if tokens in by_words:
            pair(by_words[tokens], i, "same")
        else:
            by_words[tokens] = i
    # The same letters, words written together or apart: "run-book" and "runbook".
    by_letters: dict[str, int] = {}
    for i, tokens in enumerate(normal):
        joined = "".join(tokens)
        if not joined:
            continue
        if joined in by_letters and normal[by_letters[joined]] != tokens:
            pair(by_letters[joined], i, "same")
        by_letters.setdefault(joined, i)
    # One name is the other with some words written as initials.
    for i, tokens in enumerate(normal):
        if len(tokens) > MOST_WORDS:
            continue
        for form in abbreviated(tokens):
            j = by_words.get(form)
            if j is not None and normal[j] != tokens:
                pair(i, j, "abbreviated")
    # Nearly the same: names that share every word but one (as a set) land in one bucket; compare those only.
    buckets: dict[frozenset[str], list[int]] = {}
    for i, tokens in enumerate(normal):
        if len(tokens) < 2 or len(" ".join(tokens)) < SHORTEST_NEAR:
            continue
        vocabulary = frozenset(tokens)
        near = (vocabulary - {t} for t in vocabulary) if len(tokens) <= MOST_WORDS else ()
        for key in {vocabulary, *near}:
            if key:
                buckets.setdefault(key, []).append(i)
    limit = options["min-similarity"]
    # Each later name against the earlier names it shares a bucket with, earliest first, until one is near
    # enough: only the earliest counts (pair()), so the first match, or an earlier "same" or "abbreviated"
    # one, ends the search. difflib's ratio costs about the pairs of equal letters of the two names (each
    # letter's count in one times its count in the other); past NEAR_BUDGET of them the comparison stops, and
    # says so, rather than run for minutes on names made to fill every bucket.
    earlier: dict[int, set[int]] = {}
    for members in buckets.values():
        if len(members) < 2 or len(members) > BUCKET_LIMIT:
            continue
        for x, j in enumerate(members[1:], 1):
            earlier.setdefault(j, set()).update(members[:x])
    texts: dict[int, str] = {}
    letters: dict[int, collections.Counter] = {}
    budget = NEAR_BUDGET
    stopped: int | None = None
    for j in sorted(earlier):
        for i in sorted(earlier[j]):
            if j in first_of and first_of[j][0] <= i:
                break
            if normal[i] == normal[j]:
                continue
            if any(ch.isdigit() for word in set(normal[i]) ^ set(normal[j]) for ch in word):
                continue  # "Review release 1" and "Review release 2" are two activities
            for k in (i, j):
                if k not in texts:
                    texts[k] = " ".join(normal[k])
                    letters[k] = collections.Counter(texts[k])
            a, b = texts[i], texts[j]
            length = len(a) + len(b)
            # difflib's real_quick_ratio and quick_ratio, from the lengths and the letters counted once.
            if 2.0 * min(len(a), len(b)) / length < limit or \
                    2.0 * sum((letters[i] & letters[j]).values()) / length < limit:
                continue
            budget -= sum(count * letters[j][letter] for letter, count in letters[i].items())
            if budget < 0:
                stopped = j
                break
            if difflib.SequenceMatcher(None, a, b, autojunk=False).ratio() >= limit:
                pair(i, j, "near")
                break
        if stopped is not None:
            break
    for late in sorted(first_of):
        early, how = first_of[late]
        yield _hit(activities[early], activities[late], how, len(normal[late]) < len(normal[early]))
    if stopped is not None:
        unchecked = activities[stopped]
        yield Hit(unchecked, unchecked.location,
                  f"activity {unchecked.id} {unchecked.name!r} and the {len(activities) - 1 - stopped:,} after it "
                  f"were not compared with earlier names for nearly the same name: that comparison stopped at its "
                  f"limit ({NEAR_BUDGET:,} pairs of equal letters compared); names that share all words "
                  f"but one with many others cost that much")


def _hit(first: Activity, second: Activity, how: str, shorter: bool) -> Hit:
    if how == "same":
        alike = "has the same name as"
    elif how == "abbreviated":
        alike = "is, with words written as initials, named as" if shorter else \
            "is, with initials written out, named as"
    else:
        alike = "has nearly the same name as"
    differ = _differences(first, second)
    advice = (f"their letters differ ({differ}): settle them in one activity, or rename one to say how they differ"
              if differ else "the letters are the same too: keep one, or rename one to say how they differ")
    return Hit(second, second.location,
               f"activity {second.id} {second.name!r} {alike} {first.id} {first.name!r} ({first.location}); {advice}",
               related=(first.location,))


def _differences(first: Activity, second: Activity) -> str:
    """``R3: A/R vs R, R5: - vs C``: the roles whose letters differ, at most three named."""
    roles = list(dict.fromkeys([c.role_id for c in first.cells] + [c.role_id for c in second.cells]))
    changed = [f"{rid}: {'/'.join(first.letters(rid)) or '-'} vs {'/'.join(second.letters(rid)) or '-'}"
               for rid in roles if first.letters(rid) != second.letters(rid)]
    if len(changed) > 3:
        return ", ".join(changed[:3]) + f" and {len(changed) - 3} more"
    return ", ".join(changed)
