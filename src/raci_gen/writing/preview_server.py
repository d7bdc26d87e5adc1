"""``raci-gen serve``: a live preview of a project's HTML document, as ``mkdocs serve`` is for docs.

The document is built in memory (nothing is written to the project: output/ is not touched, so a preview
never dirties the git tree) and rebuilt in the same process whenever an input or a template changes
(watchfiles, on the folders that hold them, each watched on its own without its subfolders, so that a
project at the top of a repository does not watch the repository's .venv or node_modules). The open page
then fetches the new HTML and swaps it in, keeping its scroll position. While the project does not load,
the page shows every problem over the last good matrix, and the terminal prints them.

What a browser may ask is kept small, since any web page the user opens can make the browser send requests
to 127.0.0.1: only the address served may appear in the Host header (a name that some other site's DNS
points at 127.0.0.1, "DNS rebinding", is refused), only GET and HEAD, only the routes in :data:`ROUTES` (no
path is ever looked up on disk), and every answer carries a Content-Security-Policy that runs no script but
the preview's own (by nonce) and loads nothing from elsewhere. The reload script is added to the served
page only; a built document never has it.
"""

from __future__ import annotations

import hashlib
import html
import http.server
import ipaddress
import json
import os
import re
import secrets
import socket
import sys
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from raci_gen.model.errors import InputError, RaciError
from raci_gen.model.matrix import Project
from raci_gen.documents.document import Document
from raci_gen.runtime.terminal import echo, printable

EVENTS = "/_raci-gen/events"
ROUTES = {"/": "page", "/raci-matrix.pdf": "pdf", "/raci-matrix.xlsx": "xlsx",
          EVENTS: "events"}
"""Every path served; anything else is 404, whatever it says (no file is looked up)."""
DOWNLOADS = {"pdf": "application/pdf",
             "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
MAX_CONNECTIONS = 32
"""Connections served at once (each event stream holds one); more are closed unanswered."""
REQUEST_TIMEOUT_S = 10
"""A connection that sends nothing for this long is closed (a request is a few hundred bytes)."""
HEARTBEAT_S = 15
"""An event stream sends a comment this often, so that a closed tab frees its connection."""
MAX_TEMPLATE_FOLDERS = 1000
"""Folders of the templates folder watched (templatefolder allows 1,000 files and folders)."""
DEBOUNCE_MS = 30
"""How long watchfiles gathers the changes of one save (an editor's write, rename and chmod)."""

CSP = ("default-src 'none'; script-src 'nonce-{nonce}'; style-src 'unsafe-inline'; img-src data:; "
       "font-src data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
"""Styles inline (the document's own <style> and style attributes); the one script is the preview's."""


@dataclass(frozen=True)
class Built:
    """The last project that loaded, and its HTML document."""

    project: Project
    document: Document
    html: bytes
    digest: str
    """Of the HTML, whose stamp records the digest of every input and template: the downloads' cache key."""


class Preview:
    """The project's state as served: the last good build, the current problems, a generation count."""

    def __init__(self, root: str, config: str | None):
        self.root = root
        self.config = config
        self.built: Built | None = None
        self.problems: tuple[str, ...] = ()
        self.generation = 0
        self.changed = threading.Condition()
        self.stopping = threading.Event()
        self.ready = threading.Event()
        """Set once the first build is done and the inputs are watched."""
        self.render_lock = threading.Lock()
        self.downloads: dict[str, tuple[str, bytes]] = {}  # format -> (digest, bytes): one of each, the latest
        self.watched: tuple[str, ...] = ()

    # Building -----------------------------------------------------------------------------------------------

    def rebuild(self) -> bool:
        """Load and render again; True when what is served changed. Problems go to the terminal too."""
        from raci_gen.checks.analysis import lint
        from raci_gen.input.loader import load_project
        from raci_gen.writing import output

        started = time.perf_counter()
        built, problems = self.built, ()
        try:
            project = load_project(self.root, self.config)
            findings = lint(project.matrix, project.settings)
            # A build's one way (output.plan), without output paths: the preview is served, never written.
            document = output.plan(project, (), None, findings).document
            page = output.render_one(document, "html")
            built = Built(project, document, page, hashlib.sha256(page).hexdigest())
        except InputError as exc:
            problems = tuple(str(p) for p in exc.problems)
        except RaciError as exc:  # a template that cannot render, an output.dir that leads outside
            problems = (str(exc) if ": error: " in str(exc) else f"{self.root}: error: {exc}",)
        except Exception as exc:  # noqa: BLE001 - a bug in raci-gen: said on the page, and the preview goes on
            problems = (f"internal error: {type(exc).__name__}: {exc} (a bug in raci-gen; `raci-gen --debug build` "
                        "shows the traceback)",)
        self.watched = watched_folders(self.root, self.config, built.project if built else None)
        with self.changed:
            same = (built is self.built or (built and self.built and built.digest == self.built.digest)) \
                and problems == self.problems
            if same:
                return False
            was_broken = bool(self.problems)
            self.built, self.problems = built, problems
            self.generation += 1
            self.changed.notify_all()
        if problems:
            for line in problems:
                echo(line, err=True, one_line=True)
            n = len(problems)
            echo(f"{n} problem{'s' if n != 1 else ''} found; the page shows them"
                 + (" over the last good matrix" if built else ""), err=True)
        elif self.generation > 1:
            echo(("the project loads again; " if was_broken else "") +
                 f"rebuilt in {time.perf_counter() - started:.2f} s", err=True)
        return True

    def wait(self, seen: int | None, timeout: float) -> int:
        """The generation, once it differs from ``seen`` or ``timeout`` has passed."""
        with self.changed:
            self.changed.wait_for(lambda: self.generation != seen or self.stopping.is_set(), timeout)
            return self.generation

    def download(self, fmt: str) -> tuple[bytes, str] | None:
        """The PDF or workbook of the last good build, rendered once per input digest; None if none loaded."""
        from raci_gen.writing import output

        built = self.built
        if built is None:
            return None
        with self.render_lock:  # one render at a time: a second request for it waits and takes the cached one
            cached = self.downloads.get(fmt)
            if cached and cached[0] == built.digest:
                return cached[1], built.project.settings.output.name
            data = output.render_one(built.document, fmt)  # as a build renders it: a PDF too long is refused
            self.downloads[fmt] = (built.digest, data)
            return data, built.project.settings.output.name

    # The served page ----------------------------------------------------------------------------------------

    def page(self, nonce: str) -> bytes:
        """The HTML document with the preview's bar, problems and reload script; the document's bytes are
        otherwise those a build writes."""
        with self.changed:
            built, problems, generation = self.built, self.problems, self.generation
        text = built.html.decode("utf-8") if built else \
            "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>raci-gen serve</title></head><body></body></html>"
        head = (f'<meta name="raci-gen-generation" content="{generation}">\n'
                f"<style>{PREVIEW_CSS}</style>\n")
        bar = ['<div id="raci-gen-preview">']
        if problems:
            n = len(problems)
            # As the terminal shows them: a bidi control in a name would reorder the line that says where it is.
            bar.append(f'<div id="raci-gen-problems" role="alert"><p>{n} problem{"s" if n != 1 else ""} found; '
                       + ("showing the last good matrix" if built else "nothing has loaded yet") + ":</p><pre>"
                       + "\n".join(html.escape(printable(p)) for p in problems) + "</pre></div>")
        if built:
            bar.append('<p class="downloads">Preview · <a href="/raci-matrix.pdf">PDF</a> · '
                       '<a href="/raci-matrix.xlsx">workbook</a></p>')
        bar.append("</div>")
        script = f'<script nonce="{nonce}">{RELOAD_SCRIPT.replace("GENERATION", json.dumps(str(generation)))}</script>'
        text = _insert_before(text, re.compile(r"</head\s*>", re.I), head, first=True)
        text = _insert_after_body(text, "\n".join(bar))
        text = _insert_before(text, re.compile(r"</body\s*>", re.I), script, first=False)
        return text.encode("utf-8")


def _insert_before(text: str, tag: re.Pattern, what: str, first: bool) -> str:
    matches = list(tag.finditer(text)) if not first else [m for m in [tag.search(text)] if m]
    if not matches:  # a project's own template without the tag: at the start or the end
        return what + text if first else text + what
    at = matches[0 if first else -1].start()
    return text[:at] + what + text[at:]


def _insert_after_body(text: str, what: str) -> str:
    match = re.search(r"<body\b[^>]*>", text, re.I)
    if not match:
        return what + text
    return text[:match.end()] + what + text[match.end():]


PREVIEW_CSS = """
#raci-gen-preview { font: 13px/1.4 system-ui, sans-serif; }
#raci-gen-preview .downloads { margin: 0 0 8px; color: #555; }
#raci-gen-problems { position: sticky; top: 0; z-index: 10; background: #fff4f4; border: 2px solid #c00;
  padding: 8px 12px; margin: 0 0 12px; max-height: 40vh; overflow: auto; }
#raci-gen-problems p { margin: 0 0 4px; font-weight: bold; color: #900; }
#raci-gen-problems pre { margin: 0; white-space: pre-wrap; font: 12px/1.4 monospace; }
@media print { #raci-gen-preview { display: none; } }
"""

RELOAD_SCRIPT = """
(function () {
  var shown = GENERATION, wanted = shown, busy = false;
  function update() {
    if (busy || wanted === shown) return;
    busy = true;
    fetch("/", {cache: "no-store"}).then(function (response) { return response.text(); }).then(function (text) {
      var page = new DOMParser().parseFromString(text, "text/html");
      var meta = page.querySelector('meta[name="raci-gen-generation"]');
      var x = window.scrollX, y = window.scrollY;
      document.head.innerHTML = page.head.innerHTML;
      document.body.innerHTML = page.body.innerHTML;
      window.scrollTo(x, y);
      shown = meta ? meta.content : wanted;
      busy = false;
      update();
    }, function () { busy = false; setTimeout(update, 500); });
  }
  var events = new EventSource("/_raci-gen/events");
  events.onmessage = function (event) { wanted = event.data; update(); };
})();
"""


def watched_folders(root: str, config: str | None, project: Project | None) -> tuple[str, ...]:
    """The folders whose entries are inputs: the project folder (raci.yaml), the folder of --config, the roles
    and activities folders (or the folders of such files) and every folder of the templates folder."""
    from raci_gen.input.files import inside_project

    if project is not None:
        settings = project.settings
        configured = [settings.roles, settings.activities]
        templates = os.path.join(root, settings.templates)
    else:  # nothing has loaded: the default places
        configured = ["roles", "activities"]
        templates = os.path.join(root, "templates")
    folders = [root] + ([os.path.dirname(os.path.abspath(config))] if config else [])
    for setting in configured:
        path = os.path.join(root, setting)
        folders.append(path if os.path.isdir(path) else os.path.dirname(path))
    if os.path.isdir(templates) and inside_project(root, templates):
        for folder, subfolders, _ in os.walk(templates):  # not through links: they are refused anyway
            folders.append(folder)
            if len(folders) > MAX_TEMPLATE_FOLDERS:
                break
    seen = dict.fromkeys(os.path.abspath(f) for f in folders if os.path.isdir(f))
    return tuple(seen)


def watch(preview: Preview) -> None:
    """Rebuild on every change, until the preview stops; the watched folders follow the settings.

    Each watch rebuilds once it is in place (its first answer, after at most ``rust_timeout``), for what
    changed before: the first build, and what changed while the watched folders were being replaced."""
    try:
        _watch(preview)
    finally:
        preview.ready.set()  # the server does not wait for a watcher that failed


def _watch(preview: Preview) -> None:
    import watchfiles

    while not preview.stopping.is_set():
        folders = preview.watched or (os.path.abspath(preview.root),)
        fresh = True
        try:
            for changes in watchfiles.watch(*folders, recursive=False, debounce=DEBOUNCE_MS, step=10,
                                            stop_event=preview.stopping, raise_interrupt=False,
                                            ignore_permission_denied=True, rust_timeout=200,
                                            yield_on_timeout=True):
                if changes or fresh:
                    preview.rebuild()
                if fresh:
                    fresh = False
                    preview.ready.set()
                if preview.watched != folders:
                    break
        except OSError:  # a watched folder was removed between the listing and the watch: list again
            preview.watched = watched_folders(preview.root, preview.config,
                                              preview.built.project if preview.built else None)
            time.sleep(0.05)


# The server ---------------------------------------------------------------------------------------------------


class PreviewServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True  # a restarted preview takes the port back at once (TIME_WAIT); never shared
    request_queue_size = 16

    def __init__(self, address: tuple[str, int], preview: Preview):
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        self.preview = preview
        self.slots = threading.BoundedSemaphore(MAX_CONNECTIONS)
        super().__init__(address, PreviewHandler)
        host, port = address[0], self.server_address[1]
        shown = f"[{host}]" if ":" in host else host
        self.url = f"http://{shown}:{port}/"
        names = {shown}
        if ipaddress.ip_address(host).is_loopback:
            names.add("localhost")
        self.hosts = {f"{name}:{port}".lower() for name in names} | ({n.lower() for n in names} if port == 80 else set())

    def handle_error(self, request, client_address):
        """A browser that goes away mid-request is normal (no traceback, as ever); anything else is one line."""
        error = sys.exc_info()[1]
        if not isinstance(error, OSError):
            echo(f"internal error: {type(error).__name__}: {error} (answering a request; a bug in raci-gen)",
                 err=True)

    def process_request(self, request, client_address):
        if not self.slots.acquire(blocking=False):
            self.shutdown_request(request)
            return
        super().process_request(request, client_address)

    def process_request_thread(self, request, client_address):
        try:
            super().process_request_thread(request, client_address)
        finally:
            self.slots.release()


class PreviewHandler(http.server.BaseHTTPRequestHandler):
    server: PreviewServer
    timeout = REQUEST_TIMEOUT_S

    def version_string(self) -> str:
        return "raci-gen"
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):  # noqa: A002 - the terminal is for the project's problems
        pass

    def parse_request(self) -> bool:
        """Refuse, before any route is looked at: a Host that is not the address served (421), a method
        other than GET and HEAD (405), a target not in origin form (400)."""
        if not super().parse_request():
            return False
        if self.command not in ("GET", "HEAD"):
            self._plain(405, "only GET and HEAD\n", {"Allow": "GET, HEAD"})
            return False
        host = self.headers.get_all("Host") or []
        if len(host) != 1 or host[0].strip().lower() not in self.server.hosts:
            self._plain(421, "this preview answers only at " + self.server.url + "\n")
            return False
        if not self.path.startswith("/") or self.path.startswith("//"):
            self._plain(400, "a path, please\n")
            return False
        return True

    def do_HEAD(self) -> None:
        self.do_GET()

    def do_GET(self) -> None:
        route = ROUTES.get(urlsplit(self.path).path)
        if route is None:
            self._plain(404, "not found\n")
        elif route == "page":
            nonce = secrets.token_urlsafe(18)
            self._send(200, self.server.preview.page(nonce), "text/html; charset=utf-8", nonce=nonce)
        elif route == "events":
            self._events()
        else:
            self._download(route)

    def _download(self, fmt: str) -> None:
        try:
            found = self.server.preview.download(fmt)
        except RaciError as exc:
            echo(str(exc) if ": error: " in str(exc) else f"error: {exc}", err=True, one_line=True)
            self._plain(500, f"{exc}\n")
            return
        if found is None:
            self._plain(503, "the project has not loaded yet\n")
            return
        data, name = found
        self._send(200, data, DOWNLOADS[fmt],
                   {"Content-Disposition": f'attachment; filename="{name}.{fmt}"'})

    def _events(self) -> None:
        preview = self.server.preview
        self.send_response(200)
        self._common_headers("")
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        if self.command == "HEAD":
            return
        seen = None
        try:
            self.wfile.write(b"retry: 1000\n\n")
            while not preview.stopping.is_set():
                generation = preview.wait(seen, HEARTBEAT_S)
                self.wfile.write(f"data: {generation}\n\n".encode() if generation != seen else b": alive\n\n")
                self.wfile.flush()
                seen = generation
        except (OSError, ValueError):  # the tab was closed
            return

    def _plain(self, status: int, text: str, headers: dict | None = None) -> None:
        self.close_connection = True
        self._send(status, text.encode(), "text/plain; charset=utf-8", headers)

    def _send(self, status: int, body: bytes, content_type: str, headers: dict | None = None,
              nonce: str = "") -> None:
        self.send_response(status)
        self._common_headers(nonce)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _common_headers(self, nonce: str) -> None:
        self.send_header("Content-Security-Policy", CSP.format(nonce=nonce or "none"))
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        self.send_header("Cross-Origin-Resource-Policy", "same-origin")
        self.send_header("X-Frame-Options", "DENY")
        self.send_header("Cache-Control", "no-store")


def bind(host: str, port: int, preview: Preview) -> PreviewServer:
    """The server, listening; a port in use or an address not of this machine is one line (RaciError)."""
    try:
        return PreviewServer((host, port), preview)
    except OSError as exc:
        import errno

        why = {errno.EADDRINUSE: "the port is in use (another preview or program); choose another with --port",
               errno.EACCES: "this port needs privileges; choose one above 1023 with --port",
               errno.EADDRNOTAVAIL: "the address is not one of this machine's; give one with --host"}.get(
                   exc.errno, exc.strerror or str(exc))
        shown = f"[{host}]" if ":" in host else host
        raise RaciError(f"{shown}:{port}: error: cannot listen: {why}") from None


def serve(root: str, config: str | None, host: str, port: int, open_browser: bool) -> int:
    """Build, listen, print the URL, watch and serve until Ctrl+C (or SIGTERM); returns the exit status, 0."""
    import signal

    preview = Preview(root, config)
    server = bind(host, port, preview)  # before building: a port in use is said at once
    watcher = threading.Thread(target=watch, args=(preview,), name="raci-gen-watch", daemon=True)

    def stop(signum, frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        watcher.start()
        while not preview.ready.wait(0.1):  # in steps, so that Ctrl+C stops a long first build
            pass
        echo(f"serving {server.url} (Ctrl+C to stop)")
        sys.stdout.flush()
        if open_browser:
            import webbrowser

            webbrowser.open(server.url)
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        preview.stopping.set()
        with preview.changed:
            preview.changed.notify_all()
        server.server_close()
        watcher.join(timeout=2)
    echo("stopped", err=True)
    return 0
