"""A loopback HTTP server for the hub tests: serves byte strings under paths
and misbehaves on request, as real model hosts sometimes do.

    server = HubServer(); server.start()
    url = server.add("/m/linear.tar.gz", data, mode="drop_once")
    ... server.requests("/m/linear.tar.gz") -> [{"query", "range", "status", "sent"}]

Modes (per path):
  ok          200 with the whole body; honours "Range: bytes=N-" with 206
              (ETag and Accept-Ranges sent), unless ranges=False
  drop_once   the first GET sends the headers of the full body, half of it,
              then drops the connection; later GETs are "ok"
  drop_always every GET drops half-way
  fail_first  the first `failures` GETs answer 503 (Retry-After: 0), then "ok"
  gate        every GET waits for server.gate(path) (a threading.Event) to be
              set before sending anything, then "ok"
  stall       the first GET sends headers and half the body, then waits for
              the gate and drops the connection; later GETs are "ok"
Everything binds 127.0.0.1 only. stop() releases every gate.
"""

import hashlib
import http.server
import socket
import threading
import urllib.parse


class _Route:
    def __init__(self, data, mode, failures, ranges):
        self.data = data
        self.mode = mode
        self.failures = failures
        self.ranges = ranges
        self.gets = 0
        self.gate = threading.Event()
        self.etag = '"%s"' % hashlib.sha1(data).hexdigest()


class HubServer:
    def __init__(self):
        self._routes = {}
        self._log = []
        self._lock = threading.Lock()
        self._httpd = None
        self._thread = None

    # -- set-up ------------------------------------------------------------ #
    def start(self):
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_GET(self):
                server._serve(self)

        self._httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self):
        for route in self._routes.values():
            route.gate.set()
        self._httpd.shutdown()
        self._httpd.server_close()

    @property
    def base_url(self):
        return "http://127.0.0.1:%d" % self._httpd.server_address[1]

    def add(self, path, data, mode="ok", failures=2, ranges=True):
        self._routes[path] = _Route(data, mode, failures, ranges)
        return self.base_url + path

    def gate(self, path):
        return self._routes[path].gate

    def requests(self, path):
        with self._lock:
            return [dict(r) for r in self._log if r["path"] == path]

    # -- serving ----------------------------------------------------------- #
    def _record(self, handler, path, query):
        entry = {"path": path, "query": query, "range": handler.headers.get("Range"),
                 "if_range": handler.headers.get("If-Range"), "status": None, "sent": 0}
        with self._lock:
            self._log.append(entry)
        return entry

    def _serve(self, h):
        parsed = urllib.parse.urlsplit(h.path)
        entry = self._record(h, parsed.path, parsed.query)
        route = self._routes.get(parsed.path)
        if route is None:
            return self._reply(h, entry, 404, b"not found")
        with self._lock:
            route.gets += 1
            n = route.gets
        mode = route.mode
        if mode == "gate" or (mode == "stall" and n > 1):
            if mode == "gate":
                route.gate.wait(120)
            mode = "ok"
        if mode == "fail_first":
            if n <= route.failures:
                return self._reply(h, entry, 503, b"busy", {"Retry-After": "0"})
            mode = "ok"
        if mode == "drop_once":
            mode = "drop" if n == 1 else "ok"
        if mode == "drop_always":
            mode = "drop"
        start = self._range_start(h, route)
        body = route.data[start:]
        status = 206 if start else 200
        headers = {"ETag": route.etag}
        if route.ranges:
            headers["Accept-Ranges"] = "bytes"
        if start:
            headers["Content-Range"] = "bytes %d-%d/%d" % (start, len(route.data) - 1, len(route.data))
        if mode in ("drop", "stall"):
            self._send_headers(h, entry, status, len(body), headers)
            self._write(h, entry, body[: len(body) // 2])
            if mode == "stall":
                route.gate.wait(120)
            h.close_connection = True
            try:
                h.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        self._reply(h, entry, status, body, headers)

    @staticmethod
    def _range_start(h, route):
        value = h.headers.get("Range")
        if not route.ranges or not value or not value.startswith("bytes=") or not value.endswith("-"):
            return 0
        if h.headers.get("If-Range") not in (None, route.etag):
            return 0
        start = int(value[len("bytes="):-1])
        return start if 0 < start < len(route.data) else 0

    def _send_headers(self, h, entry, status, length, headers):
        entry["status"] = status
        h.send_response(status)
        for key, value in headers.items():
            h.send_header(key, value)
        h.send_header("Content-Length", str(length))
        h.end_headers()

    @staticmethod
    def _write(h, entry, data):
        try:
            h.wfile.write(data)
            h.wfile.flush()
            entry["sent"] += len(data)
        except OSError:
            pass

    def _reply(self, h, entry, status, body, headers=None):
        self._send_headers(h, entry, status, len(body), headers or {})
        self._write(h, entry, body)
