#!/usr/bin/python3
"""HTTP(S) peer for pg_etl's integration tests (python3 stdlib only).

Serves a directory statically (Content-Length, Last-Modified, ETag, HEAD, a single
byte Range, If-None-Match / If-Modified-Since) plus routes that give the client the
behaviours a test needs to provoke:

  /auth/basic/<path>    HTTP Basic etl:s3cret required (401 otherwise), then <path>
  /auth/bearer/<path>   "Authorization: Bearer tok-123" required (401 otherwise)
  /headers/<path>       "X-Api-Key: k1" required (403 otherwise)
  /status/<code>        answers <code> with a short text body
  /redirect/<path>      302 to /<path>
  /slow?delay=S&rows=N&bytes=B
                        CSV "id,payload" header at once, then one row every S seconds
                        (default 1), chunked, until N rows or B body bytes were sent,
                        or forever when neither is given: for timeouts and cancellation

One script for both schemes: --tls CERT KEY makes it HTTPS. Every request is logged to
stderr (the server's log file) with method, path, whether an Authorization header was
present (never its value) and the status.
"""
import argparse
import base64
import email.utils
import os
import posixpath
import ssl
import sys
import time
import urllib.parse
from http.server import ThreadingHTTPServer

from request_log import LoggedHandler

BASIC_USER, BASIC_PASSWORD = "etl", "s3cret"
BEARER_TOKEN = "tok-123"
API_KEY_HEADER, API_KEY = "X-Api-Key", "k1"


class Handler(LoggedHandler):
    protocol_version = "HTTP/1.1"  # keep-alive and chunked, like real servers
    server_version = "pg_etl-test-http/1.0"
    root = "."  # set from the command line

    # -- routing ---------------------------------------------------------------------
    def do_HEAD(self):
        self.route(head=True)

    def do_GET(self):
        self.route(head=False)

    def route(self, head):
        url = urllib.parse.urlsplit(self.path)
        path = urllib.parse.unquote(url.path)
        query = urllib.parse.parse_qs(url.query)
        auth = self.headers.get("Authorization", "")

        if path.startswith("/auth/basic/"):
            want = "Basic " + base64.b64encode(f"{BASIC_USER}:{BASIC_PASSWORD}".encode()).decode()
            if auth != want:
                return self.send_text(401, "basic auth required\n", head,
                                      {"WWW-Authenticate": 'Basic realm="pg_etl"'})
            return self.send_file(path[len("/auth/basic"):], head)
        if path.startswith("/auth/bearer/"):
            if auth != f"Bearer {BEARER_TOKEN}":
                return self.send_text(401, "bearer token required\n", head,
                                      {"WWW-Authenticate": 'Bearer realm="pg_etl"'})
            return self.send_file(path[len("/auth/bearer"):], head)
        if path.startswith("/headers/"):
            if self.headers.get(API_KEY_HEADER) != API_KEY:
                return self.send_text(403, f"{API_KEY_HEADER} required\n", head)
            return self.send_file(path[len("/headers"):], head)
        if path.startswith("/status/"):
            try:
                code = int(path[len("/status/"):].strip("/"))
                if not 200 <= code <= 599:
                    raise ValueError
            except ValueError:
                return self.send_text(400, "bad status code\n", head)
            return self.send_text(code, f"status {code}\n", head)
        if path.startswith("/redirect/"):
            target = "/" + url.path[len("/redirect/"):] + (f"?{url.query}" if url.query else "")
            return self.send_text(302, f"see {target}\n", head, {"Location": target})
        if path == "/slow":
            return self.send_slow(query, head)
        return self.send_file(path, head)

    # -- responses -------------------------------------------------------------------
    def send_text(self, code, body, head, extra=None):
        data = body.encode()
        self.send_response(code)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if not head:
            self.wfile.write(data)

    def send_file(self, urlpath, head):
        # Resolve inside the root only: normpath drops '..' before joining.
        rel = posixpath.normpath("/" + urlpath).lstrip("/")
        fs = os.path.join(self.root, *[p for p in rel.split("/") if p])
        if not os.path.isfile(fs):
            return self.send_text(404, "not found\n", head)
        st = os.stat(fs)
        size = st.st_size
        etag = f'"{st.st_mtime_ns:x}-{size:x}"'
        last_modified = email.utils.formatdate(st.st_mtime, usegmt=True)

        # Conditional GET: what an incremental loader relies on.
        inm = self.headers.get("If-None-Match")
        ims = self.headers.get("If-Modified-Since")
        not_modified = False
        if inm is not None:
            not_modified = etag in [t.strip() for t in inm.split(",")] or inm.strip() == "*"
        elif ims is not None:
            try:
                not_modified = int(st.st_mtime) <= email.utils.parsedate_to_datetime(ims).timestamp()
            except (TypeError, ValueError):
                pass
        if not_modified:
            self.send_response(304)
            self.send_header("ETag", etag)
            self.send_header("Last-Modified", last_modified)
            self.end_headers()
            return

        # One byte range (bytes=a-b, a-, -n); anything else is served whole.
        start, end, code = 0, size - 1, 200
        rng = self.headers.get("Range", "")
        if rng.startswith("bytes=") and "," not in rng:
            a, _, b = rng[len("bytes="):].strip().partition("-")
            try:
                if a == "":
                    start = max(0, size - int(b))
                else:
                    start = int(a)
                    end = min(int(b), size - 1) if b else size - 1
                if start >= size or start > end:
                    return self.send_text(416, "range not satisfiable\n", head,
                                          {"Content-Range": f"bytes */{size}"})
                code = 206
            except ValueError:
                start, end = 0, size - 1
        length = end - start + 1 if size else 0

        self.send_response(code)
        self.send_header("Content-Type", self.guess_type(fs))
        self.send_header("Content-Length", str(length))
        self.send_header("Last-Modified", last_modified)
        self.send_header("ETag", etag)
        self.send_header("Accept-Ranges", "bytes")
        if code == 206:
            self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
        self.end_headers()
        if head:
            return
        with open(fs, "rb") as f:
            f.seek(start)
            left = length
            while left > 0:
                chunk = f.read(min(65536, left))
                if not chunk:
                    break
                self.wfile.write(chunk)
                left -= len(chunk)

    @staticmethod
    def guess_type(fs):
        ext = os.path.splitext(fs)[1].lower()
        return {".csv": "text/csv", ".json": "application/json", ".ndjson": "application/x-ndjson",
                ".jsonl": "application/x-ndjson", ".txt": "text/plain", ".gz": "application/gzip",
                ".zst": "application/zstd"}.get(ext, "application/octet-stream")

    def send_slow(self, query, head):
        def num(name, default, conv):
            try:
                return conv(query[name][0]) if name in query else default
            except ValueError:
                return default
        delay = num("delay", 1.0, float)
        rows = num("rows", None, int)
        max_bytes = num("bytes", None, int)
        self.send_response(200)
        self.send_header("Content-Type", "text/csv")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        if head:
            return

        def chunk(data):
            self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
            self.wfile.flush()

        sent = 0
        header = b"id,payload\n"
        chunk(header)
        sent += len(header)
        i = 0
        while (rows is None or i < rows) and (max_bytes is None or sent < max_bytes):
            time.sleep(delay)
            i += 1
            line = b"%d,row-%d\n" % (i, i)
            chunk(line)
            sent += len(line)
        self.wfile.write(b"0\r\n\r\n")


class Server(ThreadingHTTPServer):
    daemon_threads = True  # endless /slow responses must not hold up shutdown

    def handle_error(self, request, client_address):
        # A client that hangs up mid-response (cancellation tests) is normal here.
        exc = sys.exc_info()[1]
        if isinstance(exc, (BrokenPipeError, ConnectionResetError, ssl.SSLError, TimeoutError)):
            return
        super().handle_error(request, client_address)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bind", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--root", required=True, help="directory served at /")
    ap.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"), help="serve HTTPS")
    args = ap.parse_args()

    Handler.root = os.path.abspath(args.root)
    server = Server((args.bind, args.port), Handler)
    if args.tls:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(*args.tls)
        # Handshake lazily in the connection's own thread, so a silent client cannot
        # block accept() for everyone else.
        server.socket = ctx.wrap_socket(server.socket, server_side=True,
                                        do_handshake_on_connect=False)
    scheme = "https" if args.tls else "http"
    sys.stderr.write(f"serving {Handler.root} at {scheme}://{args.bind}:{args.port}/\n")
    sys.stderr.flush()
    server.serve_forever()


if __name__ == "__main__":
    main()
