"""The limits of loading a project: how many roles, activities, phases (activity files), cells, role files and
bytes of input raci-gen reads, each with why it is what it is.

In one place because three modules enforce them (the files are counted and sized before any is read,
:mod:`.files`; the roles, activities and cells as they are read, :mod:`.loader`) and the importers write no more
than loads. docs/security.md's "Limits and threat model" table lists the same figures.
"""

from __future__ import annotations

MAX_ROLES = 200
"""Roles of the matrix: its columns. Refused at the first role past it; the role files after it are not read."""
MAX_ACTIVITIES = 5_000
"""Activities of the matrix, in all its phases: its rows. Refused at the first activity past it; the activity
files after it are not read."""
MAX_PHASES = MAX_ACTIVITIES
"""Phases, that is activity files. A phase may be empty, so the activity limit alone does not bound them,
and every phase is a heading, a bookmark and a row in each document. As many as activities: an imported
spreadsheet (a phase per activity at most) always loads."""
MAX_CELLS = 150_000
"""Cells of the matrix, activities times roles: 5,000 activities of 30 roles, or 750 of 200. Every document
holds each cell, and the PDF's pages grow with them: 5,000 x 200 with long names would be some 90,000 pages
and hours of processor time (docs/security.md, "Limits and threat model", has what the largest matrix costs)."""
MAX_ROLE_FILES = MAX_ROLES
"""Role files: an empty one holds no role, so the role limit alone does not bound them, and each costs a read
and a parse (10,000 of them padded to 64 KiB took some 400 s). A file may hold many roles, one holds at least one."""
MAX_INPUT_BYTES = 32 * 1024 * 1024
"""The sum of the sizes of raci.yaml, the role files and the activity files, counted before any is read:
the per-file limit (2 MiB) times 5,000 phases would be 10 GB. The largest matrix with every text at its
longest (5,000 activities of 30 cells, 300-character names and 5,000-character descriptions) is about 31 MiB."""
MAX_HANDLES = 1_000
"""Code-review handles (``handles:``) of all roles and people together: 200 roles of five people. The codeowners
format and its rules gather the handles of each set of owners once, and an activity owned by a set of roles has
all their handles: 5,000 activities with as many sets of owners holding 1,000 handles is 5 million handles looked
at, seconds (with 10,000, a minute; unbounded, as the values limit allows 500,000, hours)."""
MAX_GOVERNED_PATHS = 10_000
"""Repository paths (``paths:``) of all activities together: each is a line of CODEOWNERS, which GitHub reads up
to 3 MB (a monorepo's CODEOWNERS holds some thousands of lines)."""
