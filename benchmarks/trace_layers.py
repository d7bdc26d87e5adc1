"""Follow a project folder through a build and count how often the path climbs back up a layer.

    python benchmarks/trace_layers.py                 # the example project (the repository's top)
    python benchmarks/trace_layers.py PROJECT_DIR
    python benchmarks/trace_layers.py --edges         # list every climb and every entry, with its count

The layers, lowest first, are the packages of src/raci_gen/, as tests/test_layers.py holds them: model <-
runtime <- input <- checks <- documents <- importers <- writing <- commands (and cli.py).
Three runs are traced in this process with ``sys.setprofile`` (threads too): ``raci-gen build --out TMP``, ``raci-gen build --check --out TMP`` (after the build, so
its documents are there) and the preview's rebuild (``raci-gen serve`` without the server). The process is
kept to one core so that the PDF is rendered here rather than in a forked child the profiler does not see.

Printed per run:

* climbs: calls from a function of a lower layer into a function of a higher one, as distinct
  (caller, callee) pairs and as calls made;
* entries: calls into output.py, provenance.py, document.py (and stamp.py, clock.py) from another module,
  as distinct pairs and as calls made: the back and forth between them that issue 20 counts; and the
  calls between the functions of each of them (``within``: the same work done again shows there);

and once, the imports (at the top of a module or in a function) of a higher layer's module, read with ast.
It prints figures and asserts nothing.
"""

from __future__ import annotations

import argparse
import ast
import collections
import os
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "raci_gen"
"""The package traced: the one imported (another checkout's with PYTHONPATH=OTHER/src), see :func:`main`."""
LAYERS = {"model": 0, "runtime": 1, "input": 2, "checks": 3, "documents": 4, "importers": 5, "writing": 6,
          "commands": 7, "cli": 7, "__main__": 7}
READS = ("runtime.confined.read_regular", "writing.confined.read_regular")
"""Where every document on disk is read back (the kept date, the comparison, a page; templates too)."""
DIGESTS = ("writing.provenance.input_digests", "documents.stamp.input_digests")
"""Where the input files are read again and digested for the documents' stamp."""
WATCHED = ("writing.output", "writing.provenance", "documents.document", "documents.stamp", "input.clock")


def module_of(filename: str) -> str | None:
    """``writing.output`` for src/raci_gen/writing/output.py; None outside the package."""
    try:
        relative = Path(filename).resolve().relative_to(PACKAGE)
    except ValueError:
        return None
    return ".".join(relative.with_suffix("").parts)


def layer_of(module: str) -> int | None:
    return LAYERS.get(module.split(".")[0])


class Tracer:
    """Records every call from a raci_gen function into a function of another raci_gen module."""

    def __init__(self) -> None:
        self.calls: collections.Counter[tuple[str, str]] = collections.Counter()
        self._modules: dict[str, str | None] = {}

    def _module(self, code) -> str | None:
        name = code.co_filename
        if name not in self._modules:
            self._modules[name] = module_of(name) if name.endswith(".py") else None
        return self._modules[name]

    def profile(self, frame, event, arg):
        if event != "call":
            return
        callee = self._module(frame.f_code)
        if callee is None:
            return
        # The nearest raci_gen frame below: a template or a library (Jinja, WeasyPrint, click) in between
        # calls on behalf of the raci_gen function that called it.
        caller_frame = frame.f_back
        while caller_frame is not None and self._module(caller_frame.f_code) is None:
            caller_frame = caller_frame.f_back
        if caller_frame is None:
            return
        caller = self._module(caller_frame.f_code)
        if caller == callee and (callee not in WATCHED or frame.f_code.co_name.startswith("<")
                                 or caller_frame.f_code.co_name == "<module>"):
            return  # a comprehension, or a class made at import, is not a step of the path
        self.calls[(f"{caller}.{caller_frame.f_code.co_name}", f"{callee}.{frame.f_code.co_name}")] += 1

    def __enter__(self):
        threading.setprofile(self.profile)
        sys.setprofile(self.profile)
        return self

    def __exit__(self, *exc):
        sys.setprofile(None)
        threading.setprofile(None)


def split(function: str) -> tuple[str, str]:
    module, _, name = function.rpartition(".")
    return module, name


def climbs(calls: collections.Counter) -> dict[tuple[str, str], int]:
    result = {}
    for (caller, callee), n in calls.items():
        low, high = layer_of(split(caller)[0]), layer_of(split(callee)[0])
        if low is not None and high is not None and high > low:
            result[(caller, callee)] = n
    return result


def entries(calls: collections.Counter, within: bool = False) -> dict[str, dict[tuple[str, str], int]]:
    """Calls into each watched module from another module (``within``: from its own functions)."""
    result: dict[str, dict[tuple[str, str], int]] = {m: {} for m in WATCHED}
    for (caller, callee), n in calls.items():
        module = split(callee)[0]
        if module in result and (split(caller)[0] == module) == within:
            result[module][(caller, callee)] = n
    return result


def upward_imports() -> list[tuple[str, str]]:
    """(module, imported module) for every import of a higher layer's module in src/raci_gen."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        module = module_of(str(path))
        low = layer_of(module)
        if low is None:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets = []
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("raci_gen."):
                base = node.module.removeprefix("raci_gen.")
                targets = [f"{base}.{a.name}" if base in LAYERS else base for a in node.names]
            elif isinstance(node, ast.Import):
                targets = [a.name.removeprefix("raci_gen.") for a in node.names if a.name.startswith("raci_gen.")]
            for target in targets:
                high = layer_of(target)
                if high is not None and high > low:
                    found.append((module, target))
    return found


def run(args: list[str]) -> Tracer:
    import click

    from importlib.metadata import entry_points

    [entry] = [e for e in entry_points(group="console_scripts") if e.name == "raci-gen"]
    main = _click_main(entry.load())
    with Tracer() as tracer:
        try:
            main.main(args, standalone_mode=False, obj={})
        except click.exceptions.Exit:
            pass
    return tracer


def _click_main(run_function):
    """The click group behind the console script (``raci_gen.cli.run`` calls ``main``)."""
    import click

    if isinstance(run_function, click.Command):
        return run_function
    return run_function.__globals__["main"]


def serve_rebuild(project: str) -> Tracer:
    from raci_gen.writing.preview_server import Preview

    preview = Preview(project, None)
    with Tracer() as tracer:
        preview.rebuild()
    return tracer


def report(name: str, tracer: Tracer, edges: bool) -> None:
    up = climbs(tracer.calls)
    print(f"{name}: climbs {len(up)} distinct ({sum(up.values())} calls); "
          f"calls between modules {len(tracer.calls)} distinct ({sum(tracer.calls.values())})")
    if edges:
        for (caller, callee), n in sorted(up.items()):
            print(f"    climb {caller} -> {callee} x{n}")
    for module, found in entries(tracer.calls).items():
        if found:
            print(f"  enters {module}: {len(found)} distinct ({sum(found.values())} calls)")
            if edges:
                for (caller, callee), n in sorted(found.items()):
                    print(f"    {caller} -> {callee} x{n}")
    reads = {k: n for k, n in tracer.calls.items() if k[1] in READS}
    inputs = {k: n for k, n in tracer.calls.items() if k[1] in DIGESTS}
    print(f"  files read back from disk: {sum(reads.values())}; input files digested: {sum(inputs.values())} time(s)")
    for module, found in entries(tracer.calls, within=True).items():
        if found:
            print(f"  within {module}: {len(found)} distinct ({sum(found.values())} calls)")
            if edges:
                for (caller, callee), n in sorted(found.items()):
                    print(f"    {caller} -> {callee} x{n}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("project", nargs="?", default=str(ROOT))
    parser.add_argument("--edges", action="store_true", help="list every climb and entry")
    options = parser.parse_args()
    global PACKAGE
    import raci_gen

    PACKAGE = Path(raci_gen.__file__).resolve().parent
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})  # the PDF in this process, traced
    with tempfile.TemporaryDirectory() as out:
        report("build", run(["build", options.project, "--out", out, "-q"]), options.edges)
        report("build --check", run(["build", options.project, "--out", out, "--check", "-q"]), options.edges)
    report("serve (rebuild)", serve_rebuild(options.project), options.edges)
    imports = upward_imports()
    print(f"imports of a higher layer: {len(imports)}")
    for module, target in imports:
        print(f"    {module} imports {target}")


if __name__ == "__main__":
    main()
