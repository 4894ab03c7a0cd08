#!/usr/bin/python3
"""A webhook receiver for pg_etl's notification tests, on 127.0.0.1 (python3 stdlib only).

Every POST/PUT is recorded as one JSON line in --log: method, path, headers, body, the
status answered, and whether X-PgEtl-Signature verifies (HMAC-SHA256 over
"<X-PgEtl-Timestamp>.<body>" under --key; null without a key or a signature).
GET /received answers the records as a JSON array (and is not recorded itself).

How it answers (the first rule that applies):
  /status/<code>[?retry_after=<s>]   always <code>, with Retry-After when asked
  /delay/<seconds>                   204 after that long (timeouts)
  --fail-first N                     the first N other requests get --fail-status
                                     (500; with --retry-after S a Retry-After header)
  --status CODE                      every request gets CODE (default 204)

The port: --port (0, the default, lets the OS choose); it is printed as "port N" and
written to --port-file once the server listens.
"""
import argparse
import hashlib
import hmac
import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


def signature_valid(key, headers, body):
    """True/False when a key and a signature are there to compare, else None."""
    sig = headers.get("X-PgEtl-Signature")
    if not key or sig is None:
        return None
    stamp = headers.get("X-PgEtl-Timestamp", "")
    expected = "sha256=" + hmac.new(key.encode(), stamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, sig)


class Receiver(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as real receivers do
    server_version = "pg_etl-webhook-receiver"

    def log_message(self, fmt, *args):  # one line per request on stderr, no headers or bodies
        sys.stderr.write(f"{self.log_date_time_string()} {fmt % args}\n")

    def answer(self, status, body=b"", headers=()):
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Type", "application/json" if body else "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body:
            self.wfile.write(body)

    def do_GET(self):
        if urlsplit(self.path).path == "/received":
            with self.server.lock:
                records = list(self.server.records)
            self.answer(200, json.dumps(records).encode())
        else:
            self.answer(404, b'{"error": "not found"}')

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        url = urlsplit(self.path)
        parts = url.path.strip("/").split("/")
        opts = self.server.opts
        extra = []
        if len(parts) >= 2 and parts[0] == "status" and parts[1].isdigit():
            status = int(parts[1])
            retry_after = parse_qs(url.query).get("retry_after")
            if retry_after:
                extra.append(("Retry-After", retry_after[0]))
        elif len(parts) >= 2 and parts[0] == "delay":
            time.sleep(float(parts[1]))
            status = 204
        else:
            with self.server.lock:  # --fail-first counts the requests the other paths do not answer
                self.server.count += 1
                nth = self.server.count
            status = opts.fail_status if nth <= opts.fail_first else opts.status
            if nth <= opts.fail_first and opts.retry_after is not None:
                extra.append(("Retry-After", opts.retry_after))
        record = {
            "time": time.time(),
            "method": self.command,
            "path": self.path,
            "headers": dict(self.headers.items()),
            "body": body.decode("utf-8", "replace"),
            "signature_valid": signature_valid(opts.key, self.headers, body),
            "status": status,
        }
        with self.server.lock:
            self.server.records.append(record)
            with open(opts.log, "a", encoding="utf-8") as f:
                f.write(json.dumps(record) + "\n")
        reply = b"" if status == 204 else json.dumps({"status": status}).encode()
        self.answer(status, reply, extra)

    do_PUT = do_POST


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--port-file")
    p.add_argument("--log", required=True, help="JSON lines, one per request")
    p.add_argument("--key", help="the signing key X-PgEtl-Signature is checked against")
    p.add_argument("--status", type=int, default=204)
    p.add_argument("--fail-first", type=int, default=0)
    p.add_argument("--fail-status", type=int, default=500)
    p.add_argument("--retry-after", help="Retry-After value sent with the --fail-first answers")
    opts = p.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", opts.port), Receiver)
    server.daemon_threads = True
    server.opts, server.lock, server.records, server.count = opts, threading.Lock(), [], 0
    port = server.server_address[1]
    if opts.port_file:  # written whole, then renamed: a reader never sees half a number
        with open(opts.port_file + ".tmp", "w") as f:
            f.write(f"{port}\n")
        os.replace(opts.port_file + ".tmp", opts.port_file)
    print(f"port {port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
