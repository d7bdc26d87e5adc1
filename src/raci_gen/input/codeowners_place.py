"""Where the CODEOWNERS file of raci.yaml's ``output.codeowners.file`` is, and the folder it must stay in.

GitHub and GitLab read CODEOWNERS at the top of the repository (or in .github/, .gitlab/, docs/), which is
often above the project folder (a project in docs/raci names ../../.github/CODEOWNERS). So the file may be
anywhere inside the git work tree that holds the project, the project folder when it is in none; never in a
version-control folder (.git/hooks would be a hook git runs), never through a link that leads out.
"""

from __future__ import annotations

import os

from raci_gen.input import templatefolder
from raci_gen.input.files import inside_project
from raci_gen.input.gitrepo import work_tree_top
from raci_gen.model.matrix import CodeOwnersSettings


def place(root: str, setting: CodeOwnersSettings) -> tuple[str, str]:
    """(the file's path as from here, the folder it must stay in: the work tree's top, else the project)."""
    path = os.path.normpath(os.path.join(root, setting.file))
    return path, work_tree_top(root) or os.path.realpath(root)


def place_problem(root: str, setting: CodeOwnersSettings) -> str | None:
    """Why the file cannot be written where ``setting`` says, or None."""
    path, top = place(root, setting)
    try:
        if not inside_project(top, path):
            where = "the git work tree that holds the project" if work_tree_top(root) else "the project folder"
            return (f"output.codeowners.file {setting.file!r} leads outside {where} ({top}); CODEOWNERS is read "
                    "inside the repository")
    except (ValueError, OSError):
        return f"output.codeowners.file {setting.file!r} is not a usable path"
    vcs = templatefolder.vcs_folder_on_the_way(top, path)
    if vcs is not None:
        return (f"output.codeowners.file {setting.file!r} leads into {vcs!r}, a version-control folder, where "
                "raci-gen never writes")
    return None
