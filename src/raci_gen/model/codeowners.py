"""What GitHub and GitLab read in a CODEOWNERS file: the form of a path pattern and of a handle.

Plain functions on text, shared by the loader (which refuses a pattern no CODEOWNERS reads as
written), lint (codeowners-handle) and the ``codeowners`` format (which writes only well-formed handles).

GitHub: https://docs.github.com/en/repositories/managing-your-repositorys-settings-and-features/
customizing-your-repository/about-code-owners; GitLab: https://docs.gitlab.com/user/project/codeowners/.
"""

from __future__ import annotations

import re

TARGETS = ("github", "gitlab")

_GITHUB_USER = r"[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}"
"""A GitHub user or organisation: 1 to 39 letters, digits and single hyphens, not at either end."""
_GITHUB_TEAM = r"[A-Za-z0-9_](?:[A-Za-z0-9_.-]{0,98}[A-Za-z0-9_])?"
"""A team's slug (its name as GitHub writes it in a URL)."""
_GITLAB_NAME = r"[A-Za-z0-9_](?:[A-Za-z0-9_.-]{0,253}[A-Za-z0-9_-])?"
"""A GitLab user or group path: letters, digits, '_', '-', '.', not starting with '-' nor ending in '.'."""
_EMAIL = r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+"

HANDLE_FORMS = {
    "github": re.compile(rf"@{_GITHUB_USER}(?:/{_GITHUB_TEAM})?|{_EMAIL}"),
    "gitlab": re.compile(rf"@{_GITLAB_NAME}(?:/{_GITLAB_NAME})*|@@(?:developer|maintainer|owner)s?|{_EMAIL}",
                         re.IGNORECASE),
}
"""A handle each target reads, whole: @user, @org/team (GitHub: one level), @group/subgroup/... and @@maintainer
(GitLab), or an e-mail address (both)."""

HANDLE_HELP = {
    "github": "@user, @org/team or an e-mail address (a user: letters, digits and single hyphens, at most 39)",
    "gitlab": "@user, @group, @group/subgroup, @@maintainer or an e-mail address",
}


def handle_problem(handle: str, target: str) -> str | None:
    """Why ``target`` (github or gitlab) would not read ``handle`` as an owner, or None."""
    if HANDLE_FORMS[target].fullmatch(handle):
        return None
    if handle.endswith((".git", ".atom")) and target == "gitlab":
        return "a GitLab path does not end in .git or .atom"
    other = "gitlab" if target == "github" else "github"
    if HANDLE_FORMS[other].fullmatch(handle):
        return f"it is a {other_name(other)} form, and the CODEOWNERS target is {other_name(target)}"
    return f"expected {HANDLE_HELP[target]}"


def other_name(target: str) -> str:
    return {"github": "GitHub", "gitlab": "GitLab"}[target]


_UNREAD = re.compile(r"[\x00-\x20\x7f-\xa0\u1680\u2000-\u200f\u2028-\u202f\u205f\u3000\ufeff\\]")


def path_problem(pattern: str) -> str | None:
    """Why a path pattern (``paths:``) would not be read by CODEOWNERS as written, or None.

    Refused: blanks and line breaks (a CODEOWNERS line is a pattern then owners, split at blanks), a
    backslash (an escape GitHub does not read), a leading ``#`` (a comment) or ``!`` and ``[...]`` (GitHub
    reads neither negation nor character ranges), a leading ``^[`` or ``[`` (a GitLab section).
    """
    if _UNREAD.search(pattern):
        return "a path pattern holds no blank, line break, control character or backslash"
    if pattern.startswith("#"):
        return "a path pattern starting with '#' is a comment in CODEOWNERS"
    if pattern.startswith("!"):
        return "CODEOWNERS has no negation ('!'); name the paths that are owned"
    if "[" in pattern or "]" in pattern:
        return "CODEOWNERS reads no character ranges ('[...]'; GitLab reads a line starting with '[' as a section)"
    return None


def one_line(text: str) -> str:
    """``text`` on one line, its blanks and line breaks (any Unicode ones) each run a single space: a name
    in a comment line of CODEOWNERS, which must not start another line."""
    return " ".join(text.split())


_WILDCARDS = re.compile(r"[*?]")
CATCH_ALL = "*"
"""The key :func:`covered_folder` gives the patterns that match every file."""


def covered_folder(pattern: str) -> str | None:
    """The folder ``pattern`` surely matches all of, as a path from the repository's root with slashes at both
    ends (``/data/`` for ``/data/``, ``/data/**`` and ``data/``), :data:`CATCH_ALL` for ``*``, ``**`` and ``/**``;
    None for any other pattern. ``docs/``, a folder of that name at any depth, surely covers the one at the top."""
    if pattern in ("*", "**", "/**"):
        return CATCH_ALL
    folder = pattern[:-2] if pattern.endswith("/**") else pattern
    if not folder.endswith("/") or len(folder) < 2 or _WILDCARDS.search(folder):
        return None
    return folder if folder.startswith("/") else "/" + folder


def anchored(pattern: str) -> str | None:
    """``pattern`` as a path from the repository's root (a leading slash, or one inside, anchors it), or None for a
    pattern that matches at any depth (``*.csv``, ``logs/``)."""
    if pattern.startswith("/"):
        return pattern
    return "/" + pattern if "/" in pattern.rstrip("/") else None


def enclosing_folders(pattern: str) -> list[str]:
    """The keys of :func:`covered_folder` that would cover ``pattern``: :data:`CATCH_ALL`, then each folder
    written out without wildcards that holds all it matches (``/data/``, ``/data/raw/`` for ``/data/raw/*.csv``)."""
    keys = [CATCH_ALL]
    path = anchored(pattern)
    if path is None:
        return keys
    wildcard = _WILDCARDS.search(path, 1, len(path) - 1)
    stop = wildcard.start() if wildcard else len(path) - 1
    end = path.find("/", 1, stop)
    while end != -1:
        keys.append(path[:end + 1])
        end = path.find("/", end + 1, stop)
    return keys


def covers(later: str, earlier: str) -> bool:
    """Whether the pattern ``later`` surely matches every file ``earlier`` matches, so that, on a later CODEOWNERS
    line, it takes all of ``earlier``'s files from its owners. Only what is sure is said: the catch-all covers every
    other pattern, and a folder written out (``/data/``, ``/data/**``, ``docs/``) a pattern anchored inside it
    (``/data/raw/``, ``/data/*.csv``, ``/docs/api/``); any other pair is not judged (False)."""
    folder = covered_folder(later)
    return later != earlier and folder is not None and folder in enclosing_folders(earlier)
