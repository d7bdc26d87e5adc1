"""``raci-gen serve``: a real ``raci-gen`` process on a free port, asked with a plain HTTP client (the refusals)
and driven with headless Chromium (the live reload). The Chromium tests skip where Debian's chromium and
chromium-driver or selenium are missing; .ci/run installs them."""

from __future__ import annotations

import http.client
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import FIRST_PHASE, copy_example, run_in_process, snapshot
from raci_gen.input.templatefolder import built_in_folder

RAICI_GEN = [sys.executable, "-m", "raci_gen"]
REPO_TEMPLATES = Path(built_in_folder())
FIRST_CELL = "      R2: C\n"
"""GD-1's R2 cell in the example's first phase (line 21)."""


class Server:
    def __init__(self, project: Path, *options: str):
        self.process = subprocess.Popen([*RAICI_GEN, "serve", str(project), "--port", "0", *options],
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.process.stdout.readline()  # the first build comes before it: a few seconds on a busy machine
        match = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        if not match:
            self.process.kill()
            raise AssertionError(f"no URL: {line!r} {self.process.stderr.read()}")
        self.port = int(match.group(1))
        self.url = match.group(0)

    def request(self, method: str = "GET", path: str = "/", host: str | None = None, headers: dict | None = None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        connection.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        connection.putheader("Host", host if host is not None else f"127.0.0.1:{self.port}")
        for name, value in (headers or {}).items():
            connection.putheader(name, value)
        connection.endheaders()
        response = connection.getresponse()
        body = response.read()
        connection.close()
        return response, body

    def page(self) -> str:
        response, body = self.request()
        assert response.status == 200
        return body.decode()

    def stop(self) -> tuple[int, str, str]:
        self.process.send_signal(signal.SIGINT)
        out, err = self.process.communicate(timeout=20)
        return self.process.returncode, out, err


@pytest.fixture
def project(tmp_path) -> Path:
    return copy_example(tmp_path / "project")


def _served(project: Path):
    running = Server(project)
    yield running
    if running.process.poll() is None:
        running.process.kill()
        running.process.communicate()


@pytest.fixture
def server(project):
    """A preview of a project of the test's own, which it may edit."""
    yield from _served(project)


@pytest.fixture(scope="module")
def shared(tmp_path_factory):
    """One preview for the tests that only ask (a process each would cost a second or two apiece)."""
    yield from _served(copy_example(tmp_path_factory.mktemp("shared") / "project"))


def wait_for(condition, seconds: float = 10.0):
    deadline = time.monotonic() + seconds
    while True:
        value = condition()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.05)


def gd1_r2(page: str) -> str | None:
    """The letter the served matrix shows for GD-1 and R2 (the third cell of GD-1's row, after R1)."""
    row = re.search(r'<th[^>]*scope="row"[^>]*>GD-1</th>(.*?)</tr>', page, re.S)
    if not row:
        return None
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row.group(1), re.S)
    return re.sub(r"<[^>]+>", "", cells[2]).strip() if len(cells) > 2 else None


def edit(project: Path, old: str, new: str) -> None:
    path = project / FIRST_PHASE
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


# The refusals, with a plain HTTP client ------------------------------------------------------------------------


def git(project: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.org"}
    return subprocess.run(["git", *args], cwd=project, env=env, check=True, capture_output=True, text=True).stdout


def test_the_page_is_the_built_html_with_the_preview_added_and_nothing_is_written(project, tmp_path):
    git(project, "init", "-q")
    git(project, "add", ".")
    git(project, "commit", "-q", "-m", "the example")
    before = snapshot(project)  # .git too: not even the index is refreshed
    running = Server(project)
    try:
        response, body = running.request()
        assert response.status == 200
        assert response.getheader("Content-Type") == "text/html; charset=utf-8"
        policy = response.getheader("Content-Security-Policy")
        nonce = re.search(r"'nonce-([^']+)'", policy).group(1)
        assert "default-src 'none'" in policy and "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
        page = body.decode()
        assert page.count("<script") == 1 and f'<script nonce="{nonce}">' in page
        assert gd1_r2(page) == "C"
        # a second page gets another nonce
        assert running.request()[0].getheader("Content-Security-Policy") != policy
        head_response, head_body = running.request("HEAD")
        assert head_response.status == 200 and head_body == b""
        status, _, err = running.stop()
    finally:
        if running.process.poll() is None:
            running.process.kill()
    assert status == 0, err
    assert err == "stopped\n"
    assert snapshot(project) == before  # output/ not made, no input touched
    assert git(project, "status", "--porcelain", "--untracked-files=all") == ""
    # The built document has no script: the reload script is the preview's own.
    assert run_in_process("build", str(project), "-f", "html", "-o", str(tmp_path / "out")).returncode == 0
    assert b"<script" not in (tmp_path / "out" / "raci-matrix.html").read_bytes()


def test_the_pdf_and_the_workbook_are_downloads(tmp_path, make_project):
    project = make_project(tmp_path / "small", [{"id": "R1", "name": "One"}, {"id": "R2", "name": "Two"}],
                           {"01": {"phase": "P", "activities": [{"id": "A-1", "name": "Plan",
                                                                 "raci": {"R1": "A/R", "R2": "C"}}]}})
    before = snapshot(project)
    running = Server(project)
    try:
        for fmt, magic in (("pdf", b"%PDF"), ("xlsx", b"PK")):
            response, data = running.request(path=f"/raci-matrix.{fmt}")
            assert response.status == 200 and data.startswith(magic)
            assert response.getheader("Content-Disposition") == f'attachment; filename="raci-matrix.{fmt}"'
            assert running.request(path=f"/raci-matrix.{fmt}")[1] == data
        assert running.stop()[0] == 0
    finally:
        if running.process.poll() is None:
            running.process.kill()
    assert snapshot(project) == before


@pytest.mark.parametrize("host", ["evil.example:{port}", "127.0.0.1.nip.io:{port}", "127.0.0.1:1", "localhost",
                                  "", "127.0.0.1:{port}@evil.example"])
def test_a_host_other_than_the_address_served_is_refused(shared, host):
    response, body = shared.request(host=host.format(port=shared.port))
    assert response.status == 421
    assert b"<table" not in body


def test_localhost_is_the_address_served_too(shared):
    response, _ = shared.request(host=f"localhost:{shared.port}")
    assert response.status == 200


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "OPTIONS", "PATCH", "TRACE", "PROPFIND"])
def test_only_get_and_head(shared, method):
    response, _ = shared.request(method)
    assert response.status == 405
    assert response.getheader("Allow") == "GET, HEAD"


@pytest.mark.parametrize("path", ["/../raci.yaml", "/%2e%2e/raci.yaml", "/raci.yaml", "/roles", "/output/",
                                  "/raci-matrix.html", "/raci-matrix.md", "/%2fetc%2fpasswd", "/./",
                                  "/_raci-gen/../raci.yaml", "/raci-matrix.pdf/", "/index.html/..",
                                  "//evil.example/"])
def test_only_the_routes_served(shared, path):
    response, body = shared.request(path=path)
    assert response.status == 404
    assert b"RACI" not in body and b"roles" not in body


@pytest.mark.parametrize("target", ["http://evil.example/", f"http://127.0.0.1/", "*", "raci.yaml"])
def test_a_target_that_is_not_a_path_is_refused(shared, target):
    response, body = shared.request(path=target)
    assert response.status == 400
    assert b"<table" not in body


def test_a_client_that_goes_away_leaves_no_traceback(server):
    for sent in (b"", b"GET / HTTP/1.1\r\nHo", b"GET /raci-matrix.xlsx HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n\r\n"):
        with socket.create_connection(("127.0.0.1", server.port)) as client:
            client.sendall(sent.replace(b"%d", str(server.port).encode()))
            client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # close with a reset
    assert server.request()[0].status == 200
    status, _, err = server.stop()
    assert status == 0
    assert err == "stopped\n"


def test_a_port_in_use_is_one_line_exit_2(project):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run([*RAICI_GEN, "serve", str(project), "--port", str(port)], capture_output=True,
                                text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr == f"127.0.0.1:{port}: error: cannot listen: the port is in use (another preview or " \
                            "program); choose another with --port\n"


def test_listening_on_every_address_is_refused(project):
    result = subprocess.run([*RAICI_GEN, "serve", str(project), "--host", "0.0.0.0"], capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "not all of them" in result.stderr


def test_problems_on_the_page_and_in_the_terminal_then_the_matrix_again(project, server):
    edit(project, FIRST_CELL, "      R2: I\n")
    assert wait_for(lambda: gd1_r2(server.page()) == "I")
    edit(project, "      R2: I\n", "      R2: Q\n")
    assert wait_for(lambda: 'id="raci-gen-problems"' in server.page())
    page = server.page()
    assert f"{project / FIRST_PHASE}:21:11: error: &#x27;Q&#x27; is not a RACI letter" in page
    assert gd1_r2(page) == "I"  # the last good matrix, under the problems
    edit(project, "      R2: Q\n", "      R2: R\n")
    assert wait_for(lambda: gd1_r2(server.page()) == "R")
    assert 'id="raci-gen-problems"' not in server.page()
    status, _, err = server.stop()
    assert status == 0
    assert f"{project / FIRST_PHASE}:21:11: error: 'Q' is not a RACI letter" in err
    assert "the project loads again" in err


def test_a_project_that_starts_broken_then_loads(project):
    edit(project, FIRST_CELL, "      R2: Q\n")
    running = Server(project)
    try:
        page = running.page()
        assert "nothing has loaded yet" in page and "is not a RACI letter" in page
        assert running.request(path="/raci-matrix.pdf")[0].status == 503
        edit(project, "      R2: Q\n", "      R2: I\n")
        assert wait_for(lambda: gd1_r2(running.page()) == "I")
    finally:
        running.process.kill()
        running.process.communicate()


def test_templates_and_moved_inputs_are_watched(project, server):
    # A templates folder made after the start, and a stylesheet in a subfolder of it, are watched.
    (project / "templates").mkdir()
    time.sleep(0.5)  # the new folder is seen, and watched
    (project / "templates" / "raci.css").write_text((REPO_TEMPLATES / "raci.css").read_text()
                                                    + "\n/* first-edit */\n")
    assert wait_for(lambda: "first-edit" in server.page())
    # raci.yaml moves the activities to another folder: the preview follows it there.
    shutil.copytree(project / "activities", project / "phases")
    config = project / "raci.yaml"
    config.write_text(config.read_text().replace("\nactivities: activities\n", "\nactivities: phases\n"))
    shutil.rmtree(project / "activities")
    time.sleep(0.5)  # the settings are read again, and the new folder watched
    text = (project / "phases" / FIRST_PHASE.split("/")[1]).read_text()
    (project / "phases" / FIRST_PHASE.split("/")[1]).write_text(text.replace(FIRST_CELL, "      R2: R\n", 1))
    assert wait_for(lambda: gd1_r2(server.page()) == "R")
    assert 'id="raci-gen-problems"' not in server.page()


# The live reload, in headless Chromium ---------------------------------------------------------------------------


def chromium():
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        pytest.skip("selenium is not installed (pip install '.[test]')")
    browser = shutil.which("chromium")
    driver = shutil.which("chromedriver") or ("/usr/bin/chromedriver" if os.path.exists("/usr/bin/chromedriver")
                                                else None)
    if not browser or not driver:
        pytest.skip("Debian's chromium and chromium-driver are not installed (.ci/run installs them)")
    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                 "--window-size=1200,800"):
        options.add_argument(flag)
    return webdriver.Chrome(service=Service(driver), options=options)


def test_the_open_page_follows_edits_in_place(project, server):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    browser = chromium()
    try:
        browser.get(server.url)
        assert "GD-1" in browser.find_element(By.TAG_NAME, "body").text
        browser.execute_script("window.scrollTo(0, 600); window.raciGenSamePage = true;")
        time.sleep(0.5)  # the event stream connects

        def cell():
            return browser.execute_script(
                "var th = [...document.querySelectorAll('th[scope=row]')].find(t => t.textContent.trim() === 'GD-1');"
                "return th ? th.parentElement.querySelectorAll('td')[2].textContent.trim() : null;")

        assert cell() == "C"
        edit(project, FIRST_CELL, "      R2: I\n")
        WebDriverWait(browser, 10, 0.05).until(lambda _: cell() == "I")
        edit(project, "      R2: I\n", "      R2: Q\n")
        WebDriverWait(browser, 10, 0.05).until(
            lambda _: "is not a RACI letter" in browser.find_element(By.TAG_NAME, "body").text)
        assert f"{FIRST_PHASE}:21:11: error:" in browser.find_element(By.ID, "raci-gen-problems").text
        assert cell() == "I"
        edit(project, "      R2: Q\n", "      R2: C\n")
        WebDriverWait(browser, 10, 0.05).until(lambda _: cell() == "C")
        assert not browser.find_elements(By.ID, "raci-gen-problems")
        # Swapped in place: the same page (not reloaded), at the same scroll position.
        assert browser.execute_script("return window.raciGenSamePage === true")
        assert browser.execute_script("return window.scrollY") == 600
        # The policy let the preview's script run and nothing else report a violation.
        errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
        assert not errors, errors
    finally:
        browser.quit()
