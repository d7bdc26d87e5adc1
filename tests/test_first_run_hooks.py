"""A first day with raci-gen in a bigger repository: the project in docs/raci, the pre-commit hooks that init
writes at the top, then the folder moved (git mv docs/raci docs/governance). The hooks name docs/raci in their
args and run at every commit (always_run), so that a project found from no changed file is still checked; with
the folder gone they found no project and passed every commit (exit 0), checking nothing. A folder of the args
that is there but holds no project was already an error; one that is not there at all now is too.

Real git, real pre-commit and the installed raci-gen, in subprocesses (as tests/test_subfolder_hooks.py).
"""

from __future__ import annotations

import sys

from test_subfolder_hooks import commit, ok, repo, run  # noqa: F401 - repo is a fixture


def test_the_hooks_stop_a_commit_once_the_folder_in_their_args_has_moved(repo):  # noqa: F811
    repo, env = repo
    ok(["raci-gen", "init", "docs/raci"], repo, env)
    ok([sys.executable, "-m", "pre_commit", "install"], repo, env)
    done = commit(repo, env, "RACI matrix in docs/raci")
    assert done.returncode == 0, done.stdout

    ok(["git", "mv", "docs/raci", "docs/governance"], repo, env)
    done = run(["raci-gen", "hook", "check", "docs/raci"], repo, env)
    assert done.returncode == 2, done.stdout + done.stderr
    assert done.stderr.splitlines()[0] == (
        "docs/raci:1:1: error: no such folder: docs/raci; the hook's args name project folders (moved or renamed? "
        "name its new place in args in .pre-commit-config.yaml)")
    done = commit(repo, env, "moved")
    assert done.returncode != 0, done.stdout
    assert "no such folder: docs/raci" in done.stdout

    # Named in args again, the commit goes through; a file given that is not there (with its suffix) is still
    # passed over, as before.
    config = repo / ".pre-commit-config.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace('["docs/raci"]', '["docs/governance"]'),
                      encoding="utf-8")
    done = commit(repo, env, "moved, hooks follow")
    assert done.returncode == 0, done.stdout
    assert run(["raci-gen", "hook", "lint", "no/such/file.yaml", "docs/governance"], repo, env).returncode == 0


def test_a_moved_folder_is_an_error_of_both_hooks_without_pre_commit(tmp_path):
    from test_subfolder_hooks import environment

    env = environment(tmp_path)
    for name in ("lint", "check"):
        done = run(["raci-gen", "hook", name, "gone/raci"], tmp_path, env)
        assert done.returncode == 2 and "gone/raci:1:1: error: no such folder: gone/raci" in done.stderr, done.stderr
