"""No network, no stray files, no half-written documents, no way out of the template sandbox.

Each build here runs the real command line in its own process:

* A user template (``templates/raci.html.j2`` in the project) and the data itself point
  images, style sheets, fonts and a ``rel="attachment"`` link at ``http://``,
  ``https://`` and ``file:///etc/passwd``. The build succeeds, nothing connects to the
  local web server those URLs name, and the PDF holds neither /etc/passwd's text
  nor an embedded file.
* A template that reaches for Python's internals stops the build with one line (exit 2).
* Output file names from raci.yaml cannot leave the output folder.
* A build killed with SIGKILL while it renders leaves the documents of the build
  before byte for byte as they were, and the next build removes the temporary files
  a build killed while writing leaves behind.
"""

from __future__ import annotations

import http.server
import io
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import openpyxl
import pypdf
import pytest

from raci_gen.model.errors import RenderError
from raci_gen.runtime.confined import remove_stale_temporaries

PASSWD = Path("/etc/passwd")
# A matrix the lint finds nothing in, so that stderr holds only what a test is about.
ROLES = (
    'roles:\n'
    '  - id: R1\n'
    '    name: Product Owner\n'
    '  - id: R2\n'
    '    name: Data Scientist\n'
    '  - id: R3\n'
    '    name: ML Engineer\n'
    '  - id: R4\n'
    '    name: Data Engineer\n'
)
ACTIVITIES = (
    'phase: Model engineering\n'
    'activities:\n'
    '  - id: ME-1\n'
    '    name: Define the business goal\n'
    '    raci:\n'
    '      R1: A\n'
    '      R2: R\n'
    '      R3: C\n'
    '  - id: ME-2\n'
    '    name: Prepare the data\n'
    '    raci:\n'
    '      R2: A\n'
    '      R3: R\n'
    '      R4: I\n'
    '  - id: ME-3\n'
    '    name: Train the model\n'
    '    raci:\n'
    '      R3: A\n'
    '      R4: R\n'
    '      R1: C\n'
    '  - id: ME-4\n'
    '    name: Deploy the model\n'
    '    raci:\n'
    '      R4: A\n'
    '      R1: R\n'
    '      R2: I\n'
)


def write_project(root: Path, files: dict[str, str]) -> Path:
    for rel, text in {"roles/roles.yaml": ROLES, "activities/01-model.yaml": ACTIVITIES, **files}.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def build(project: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "raci_gen", "build", ".", *args], cwd=project,
                          capture_output=True, text=True, timeout=timeout)


# --- no network, no files from outside ----------------------------------------------------------------------------


class CountingServer(http.server.ThreadingHTTPServer):
    """A web server on 127.0.0.1 that counts every connection made to it (HTTPS attempts included)."""

    daemon_threads = True

    def __init__(self):
        self.connections = 0
        self.paths: list[str] = []
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                server.paths.append(self.path)
                self.send_response(200)
                self.send_header("Content-Type", "text/css" if self.path.endswith(".css") else "image/png")
                self.end_headers()
                self.wfile.write(b"h1 { color: red }" if self.path.endswith(".css") else b"\x89PNG\r\n\x1a\n")

            def log_message(self, *args):
                pass

        super().__init__(("127.0.0.1", 0), Handler)

    def verify_request(self, request, client_address) -> bool:
        self.connections += 1
        return True


@pytest.fixture
def web_server():
    server = CountingServer()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def pdf_streams(reader: pypdf.PdfReader):
    """The decoded data of every stream object in the PDF (content, fonts, anything embedded)."""
    for number in range(1, int(reader.trailer["/Size"])):
        try:
            obj = reader.get_object(number)
        except Exception:  # a free entry
            continue
        if isinstance(obj, pypdf.generic.StreamObject):
            yield obj.get_data()


def assert_nothing_from_outside(pdf_bytes: bytes) -> str:
    """No embedded file, no attachment annotation, none of /etc/passwd's text; returns the PDF's text."""
    reader = pypdf.PdfReader(io.BytesIO(pdf_bytes))
    assert reader.attachments == {}
    assert "/EmbeddedFiles" not in reader.trailer["/Root"].get("/Names", {})
    for page in reader.pages:
        for annotation in page.get("/Annots", []) or []:
            assert annotation.get_object().get("/Subtype") != "/FileAttachment"
    secret = PASSWD.read_text(encoding="utf-8", errors="replace").splitlines()[0].encode()  # root:x:0:0:...
    assert secret
    for data in pdf_streams(reader):
        assert secret not in data
        assert b"/EmbeddedFile" not in data
    text = "".join(page.extract_text() for page in reader.pages)
    assert secret.decode() not in text
    return text


def hostile_template(port: int) -> str:
    here = f"127.0.0.1:{port}"
    return f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{{{{ doc.title }}}}</title>
<link rel="stylesheet" href="http://{here}/linked.css">
<link rel="stylesheet" href="file:///etc/passwd">
<link rel="attachment" href="file:///etc/passwd" title="passwd">
<style>
@import url("http://{here}/imported.css");
@import url("file:///etc/passwd");
@font-face {{ font-family: Remote; src: url("http://{here}/font.woff"); }}
body {{ background: url("https://{here}/background.png"); font-family: Remote, sans-serif; }}
h1 {{ background-image: url("file:///etc/passwd"); }}
</style></head>
<body>
<h1>Fetch test: {{{{ doc.title }}}}</h1>
<img src="http://{here}/image.png" alt="">
<img src="https://{here}/image.png" alt="">
<img src="file:///etc/passwd" alt="">
<a rel="attachment" href="file:///etc/passwd">the password file</a>
<a rel="attachment" href="http://{here}/attachment.txt">a remote attachment</a>
<object data="file:///etc/passwd" type="text/plain"></object>
<embed src="http://{here}/embedded.png">
<svg width="10" height="10"><image href="http://{here}/svg.png" width="10" height="10"/></svg>
</body></html>
"""


def test_user_template_cannot_fetch_or_attach(tmp_path, web_server):
    project = write_project(tmp_path / "project", {
        "raci.yaml": "title: Security check\n",
        "templates/raci.html.j2": hostile_template(web_server.server_address[1]),
    })
    result = build(project, "--out", str(tmp_path / "out"), "--format", "pdf,html")
    assert "Traceback" not in result.stderr + result.stdout
    assert result.returncode == 0, result.stderr
    assert web_server.connections == 0, web_server.paths
    text = assert_nothing_from_outside((tmp_path / "out" / "raci-matrix.pdf").read_bytes())
    assert "Fetch test: Security check" in text  # the user template was the one used


def test_urls_in_the_data_are_only_text(tmp_path, web_server):
    here = f"127.0.0.1:{web_server.server_address[1]}"
    image = f'<img src="http://{here}/data.png">'
    attachment = '<a rel="attachment" href="file:///etc/passwd">passwd</a>'
    project = write_project(tmp_path / "project", {
        "raci.yaml": f"title: 'url(\"http://{here}/title.png\") url(file:///etc/passwd)'\n"
                     f"project: '{attachment}'\n",
        "roles/roles.yaml": ROLES.replace("name: Product Owner", f"name: '{image}'\n    description: '{attachment}'")
                                 .replace("name: Data Scientist",
                                          f"name: '<link rel=\"stylesheet\" href=\"https://{here}/x.css\">'"),
    })
    result = build(project, "--out", str(tmp_path / "out"), "--format", "pdf,html,md")
    assert "Traceback" not in result.stderr + result.stdout
    assert result.returncode == 0, result.stderr
    assert web_server.connections == 0, web_server.paths
    text = assert_nothing_from_outside((tmp_path / "out" / "raci-matrix.pdf").read_bytes())
    squeezed = "".join(text.split())
    assert "".join(image.split()) in squeezed  # shown as the text it is
    assert "".join(attachment.split()) in squeezed


# --- the template sandbox -----------------------------------------------------------------------------------------


def test_user_template_cannot_escape_the_sandbox(tmp_path):
    project = write_project(tmp_path / "project", {"templates/raci.html.j2": "{{ ''.__class__.__mro__ }}\n"})
    result = build(project, "--out", str(tmp_path / "out"), "--format", "html")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr + result.stdout
    assert result.stderr.splitlines() == [
        "templates/raci.html.j2:1:1: error: template failed: access to attribute '__class__' of 'str' object is unsafe.",
        "1 problem found; nothing was written."]
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("template", [
    "{{ cycler.__init__.__globals__.os.system('echo escaped') }}",
    "{{ self.__init__.__globals__ }}",
    "{{ doc.__class__.__init__.__globals__ }}",
    "{{ doc.matrix.roles[0].__reduce_ex__(2) }}",
    "{{ lipsum.__globals__['os'] }}",
    "{% include '/etc/passwd' %}",
    "{% include '../../../../../../etc/passwd' %}",
])
def test_sandbox_refuses_internals_and_outside_files(tmp_path, template):
    from raci_gen.documents.html import render_html_text

    document = _document_with_template(tmp_path, "raci.html.j2", template + "\n")
    with pytest.raises(RenderError) as info:
        render_html_text(document)
    message = str(info.value)
    assert message and "\n" not in message
    assert "root:" not in message and "escaped" not in message


@pytest.mark.parametrize("template", ["{{ 1 / 0 }}", "{% for x in range(10**9) %}{% endfor %}", "{{ [].pop() }}"])
def test_user_template_runtime_errors_are_clean(tmp_path, template):
    from raci_gen.documents.html import render_html_text

    document = _document_with_template(tmp_path, "raci.html.j2", template + "\n")
    with pytest.raises(RenderError):
        render_html_text(document)


def _document_with_template(tmp_path: Path, name: str, text: str):
    from raci_gen.input.loader import load_project
    from raci_gen.documents.document import make_document

    project = write_project(tmp_path / "project", {f"templates/{name}": text})
    return make_document(load_project(str(project)))


# --- output names from the data -----------------------------------------------------------------------------------


def snapshot(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")}


@pytest.mark.parametrize(("setting", "where"), [
    pytest.param("output:\n  name: ../../x\n", "raci.yaml:2:9", id="name-dotdot"),
    pytest.param("output:\n  name: a/b\n", "raci.yaml:2:9", id="name-slash"),
    # Named by the path, not by raci.yaml:LINE:COL (output_paths raises it): reported.
    pytest.param("output:\n  dir: ../../out\n", "../../out: error: output.dir", id="dir-outside"),
])
def test_output_paths_from_raci_yaml_stay_inside(tmp_path, setting, where):
    project = write_project(tmp_path / "a" / "b" / "project", {"raci.yaml": setting + "  formats: [md]\n"})
    before = snapshot(tmp_path)
    result = build(project)  # no --out: the output folder and name come from raci.yaml
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith(where), result.stderr
    assert snapshot(tmp_path) == before


# --- never a half-written document --------------------------------------------------------------------------------

EPOCH_ENV = {**os.environ, "SOURCE_DATE_EPOCH": "1700000000"}
EARLIER = {"raci-matrix.md": b"# The matrix of the build before\n",
           "raci-matrix.xlsx": b"PK\x03\x04 the workbook of the build before",
           "raci-matrix.pdf": b"%PDF-1.7\n% the PDF of the build before\n%%EOF\n"}


def big_project(root: Path, roles: int = 10, activities: int = 60) -> Path:
    """A matrix whose PDF takes seconds to render."""
    role_text = "roles:\n" + "".join(f"  - id: R{i}\n    name: Role number {i}\n" for i in range(roles))
    body = "".join(f"  - id: A{i}\n    name: Activity number {i}, whose name is long enough to wrap in its cell\n"
                   f"    raci: {{R{i % roles}: A, R{(i + 1) % roles}: R, R{(i + 2) % roles}: C}}\n"
                   for i in range(activities))
    return write_project(root, {"roles/roles.yaml": role_text,
                                "activities/01-model.yaml": "phase: Build\nactivities:\n" + body})


def start_build(project: Path, out: Path, formats: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "raci_gen", "build", ".", "--out", str(out), "--format", formats,
                             "--no-lint", "-q"], cwd=project, env=EPOCH_ENV,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def rendering_pdf(pid: int) -> bool:
    """Whether the process, or the child it renders the PDF in (output._RenderingChild), has loaded Pango:
    the PDF is being rendered, and nothing has been written."""
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        children = []
    for process in [pid, *map(int, children)]:
        try:
            if "libpango" in Path(f"/proc/{process}/maps").read_text():
                return True
        except OSError:
            pass
    return False


def child_pids(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def documents(out: Path) -> tuple[dict[str, bytes], list[str]]:
    """The documents in ``out`` and the names of the other files there."""
    docs, others = {}, []
    for path in out.iterdir():
        if path.name.startswith("raci-matrix."):
            docs[path.name] = path.read_bytes()
        else:
            others.append(path.name)
    return docs, sorted(others)


def test_sigkill_while_rendering_leaves_the_earlier_documents(tmp_path):
    project = big_project(tmp_path / "project")
    out = tmp_path / "out"
    out.mkdir()
    for name, data in EARLIER.items():
        (out / name).write_bytes(data)
    process = start_build(project, out, "md,xlsx,pdf")
    deadline = time.monotonic() + 60
    while not rendering_pdf(process.pid) and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.3)  # well into the PDF
    children = child_pids(process.pid)
    process.send_signal(signal.SIGKILL)
    assert process.wait(timeout=30) == -signal.SIGKILL, "the build ended before it could be killed"
    docs, others = documents(out)
    assert docs == EARLIER  # the Markdown and the workbook were rendered, but nothing was written yet
    assert others == []
    # The child rendering the PDF does not outlive the build (on Linux it is told when its parent dies).
    deadline = time.monotonic() + 10
    while any(Path(f"/proc/{child}").exists() and "State:\tZ" not in _status(child) for child in children):
        assert time.monotonic() < deadline, "the PDF child outlived the build"
        time.sleep(0.05)


def _status(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return "State:\tZ"


def test_killed_writes_leave_whole_documents_and_the_next_build_cleans_up(tmp_path):
    project = big_project(tmp_path / "project", activities=20)
    out = tmp_path / "out"
    out.mkdir()
    for name, data in EARLIER.items():
        (out / name).write_bytes(data)
    # Temporary files as killed builds leave them, beside the documents.
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()  # its pid now names no process
    left_over = [f".raci-gen-{dead.pid}-k1ll3d.tmp", ".raci-gen-0ld5chm.tmp"]
    kept = [f".raci-gen-{os.getpid()}-wr1t1ng.tmp", ".raci-gen-r3c3nt.tmp", "notes.tmp"]
    for name in left_over + kept:
        (out / name).write_bytes(b"half a document")
    two_hours_ago = time.time() - 7200
    os.utime(out / ".raci-gen-0ld5chm.tmp", (two_hours_ago, two_hours_ago))

    # Kill a build the moment one of its own temporary files shows: whatever it had replaced is whole.
    process = start_build(project, out, "md,xlsx")
    mine = f".raci-gen-{process.pid}-"
    while process.poll() is None and not any(name.startswith(mine) for name in os.listdir(out)):
        pass
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    killed_docs, _ = documents(out)

    result = subprocess.run([sys.executable, "-m", "raci_gen", "build", ".", "--out", str(out), "--format",
                             "md,xlsx", "--no-lint", "-q"], cwd=project, env=EPOCH_ENV, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    docs, others = documents(out)
    assert others == sorted(kept)  # what killed builds left is gone; a running build's file and others' stay
    assert docs["raci-matrix.pdf"] == EARLIER["raci-matrix.pdf"]  # not built this time
    assert docs["raci-matrix.md"].startswith(b"<!-- Generated by raci-gen")
    openpyxl.load_workbook(io.BytesIO(docs["raci-matrix.xlsx"]))
    for name in ("raci-matrix.md", "raci-matrix.xlsx"):
        assert killed_docs[name] in (EARLIER[name], docs[name]), f"{name} was left half-written"


def test_remove_stale_temporaries_removes_only_left_over_files(tmp_path):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    (tmp_path / f".raci-gen-{dead.pid}-x.tmp").write_text("its process is gone")
    (tmp_path / ".raci-gen-1-x.tmp").write_text("pid 1 runs (init)")
    (tmp_path / ".raci-gen-x.tmp").write_text("recent, names no process")
    (tmp_path / "raci-matrix.md").write_text("a document")
    (tmp_path / f".raci-gen-{dead.pid}-dir.tmp").mkdir()  # not a file raci-gen made
    assert remove_stale_temporaries(str(tmp_path)) == [f".raci-gen-{dead.pid}-x.tmp"]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [".raci-gen-1-x.tmp", ".raci-gen-x.tmp", "raci-matrix.md", f".raci-gen-{dead.pid}-dir.tmp"])
    assert remove_stale_temporaries(str(tmp_path / "missing")) == []
