#!/usr/bin/python3
"""HTTP JSON API peer for pg_etl's API-source integration tests (python3 stdlib only).

Serves one deterministic, seeded set of "tickets" through the pagination styles, auth
schemes, faults and bad answers an API loader has to cope with, plus a GraphQL endpoint.

Records (ids 1..N, N = query parameter total, default 1000, at most 200000; the set for
total=N is the first N records of the set for any larger total):
  {"id": 1, "subject": "...", "status": "open"|"pending"|"closed", "priority": 1..5|null,
   "updated_at": "2024-05-01T10:00:00Z", "amount": "12.50" | 12.5,
   "requester": {"name": "...", "email": "..."}, "tags": ["..."], "custom_field": "..."}
  - sorted by (updated_at, id); updated_at is non-decreasing with id and shared by runs
    of 1-4 consecutive ids (cursor boundaries fall inside such runs)
  - "priority" is absent when id % 7 == 0 (and null in about 1 of 10 others), "tags" is
    absent when id % 11 == 0, "custom_field" is present only when id % 13 == 0
  - "amount" is a JSON number when id % 5 == 0, else a decimal string with 2 digits
  - some subjects and names hold quotes, backslashes, newlines and non-ASCII text

Every list route filters with since=<ISO-8601 timestamp> (updated_at >= since, a closed
bound; "Z", offsets and a bare date are accepted) and since_id=<int> (id > since_id).
Page sizes must be >= 1 and are capped at 10000. A malformed parameter is a 400
{"error": "bad_request", "detail": "..."}. "count"/"total"/"totalCount" below are the
number of records left after the since filters (N without them).

Pagination (same records; links are absolute, built from the Host header, keep every
other query parameter):
  GET /api/header_link/tickets?page=1&per_page=100   [records]; header
      Link: <first>; rel="first", <prev>; rel="prev", <next>; rel="next", <last>; rel="last"
      (prev only after page 1, next only when a next page exists)
  GET /api/json_link/tickets?page=1&per_page=100     {"tickets": [..], "next": url|null, "count": n}
  GET /api/cursor/tickets?after=C&limit=100          {"tickets": [..], "meta": {"next_cursor": C|null, "has_more": b}}
      C is opaque (URL-safe base64, signed); an unknown or tampered cursor -> 400
      {"error": "invalid_cursor", ...}
  GET /api/offset/tickets?offset=0&limit=100         {"tickets": [..], "total": n}   (past the end: [])
  GET /api/page/tickets?page=1&page_size=100         {"tickets": [..], "page": p, "total_pages": k, "total": n}
  GET /api/has_more/tickets?page=1&per_page=100      {"data": [..], "has_more": b}
  GET /api/array/tickets                             [all records]
  GET /api/repeat_cursor/tickets?after=C&limit=100   like /api/cursor, but from page 2 on
      next_cursor is always page 2's cursor (a buggy API: stop on a repeated cursor)

Auth (offset-style body and parameters; otherwise 401 {"error": ...} + WWW-Authenticate):
  /api/basic/tickets    HTTP Basic etl / s3cret
  /api/bearer/tickets   Authorization: Bearer tok-123
  /api/apikey/tickets   header X-Api-Key: k1, or query parameter api_key=k1
  POST /oauth/token[?expires_in=E]   OAuth2 client credentials, form-encoded
      grant_type=client_credentials [&scope=..]; client etl-client / etl-secret by HTTP
      Basic or form fields client_id/client_secret ->
      {"access_token": "at-<n>", "token_type": "Bearer", "expires_in": E (3600)[, "scope": s]}
      wrong client -> 401 {"error": "invalid_client"}; other grant -> 400 unsupported_grant_type
  /api/oauth/tickets    a bearer token from /oauth/token, not expired, not revoked
  POST /admin/revoke_tokens          revokes every token issued so far -> {"revoked": n}

Faults (offset-style once they pass; counted per route and key=K, default "default"):
  /api/flaky/tickets?key=K&fail=2&status=500    first `fail` requests: `status` (400-599)
      with {"error": "upstream_failure", "status": s, "attempt": i}
  /api/throttle/tickets?key=K&times=2&retry_after=1&format=seconds|date
      first `times` requests: 429 {"error": "rate_limited", ...} with Retry-After in
      seconds or as an HTTP-date (ceil(now + retry_after), so wait at least that long)
  /api/ratelimit/tickets?key=K&rps=10   at most rps answered requests per sliding second
      per key, else 429 with Retry-After: 1 (refused requests do not use up the budget)
  /api/slow/tickets?delay=2             sleeps delay seconds (at most 300), then answers

Bad answers:
  /api/bad/notjson      200 text/html "<html><body>Service unavailable</body></html>"
  /api/bad/truncated    200 application/json, a document cut in the middle
  /api/bad/500          500 {"error": "internal", "detail": "database is down"}
  /api/bad/404          404 {"error": "not_found"}
  /api/bad/wrong_path   200 {"items": [..], "total": n}   (offset-style, no "tickets")
  /api/bad/huge?mb=5    200, a valid JSON array of records (ids repeat) of at least mb MiB

GraphQL: POST /graphql {"query": "...", "variables": {...}, "operationName": ...}
  query mentions "tickets" -> {"data": {"tickets": {"nodes": [..],
      "pageInfo": {"hasNextPage": b, "endCursor": C|null}, "totalCount": n}}}
      variables first (100), after (a cursor as above), since; URL parameter total
  query mentions "syntaxError", or is not a string -> 200 {"errors": [{"message":
      "Syntax Error: ...", "locations": [{"line": 1, "column": 1}]}], "data": null}
  query mentions "partialError" -> the data above plus a non-empty "errors"
  an Authorization header, when present, must be "Bearer tok-123" (401 otherwise);
  GET /graphql -> 405

Test support:
  GET /admin/stats -> {"requests": {"<path>": n}, "tokens_issued": n, "max_in_flight": n,
      "in_flight": n, "request_times": {"<key>": [unix seconds, ms precision]} (flaky,
      throttle and ratelimit requests), "connections": n (TCP connections that carried a
      non-/admin request), "connections_total": n (all accepted),
      "key_connections": {"<key>": n} (connections that carried a request with key=K,
      parallel-safe for keep-alive checks)}.  in_flight/max_in_flight leave out /admin.
  POST /admin/reset -> clears all of the above, the fault and rate-limit state and all
      tokens (issued and revoked). Cursors are stateless (signed), nothing to clear.

Every response has a Content-Length (keep-alive works); JSON is application/json;
charset=utf-8. Every request is logged to stderr with method, path (api_key values
redacted), whether an Authorization header was present (never its value) and the status.
"""
import argparse
import base64
import bisect
import collections
import email.utils
import hashlib
import hmac
import json
import math
import random
import re
import sys
import threading
import time
import unicodedata
import urllib.parse
from datetime import datetime, timezone
from http.server import ThreadingHTTPServer

from request_log import LoggedHandler

BASIC_USER, BASIC_PASSWORD = "etl", "s3cret"
BEARER_TOKEN = "tok-123"
API_KEY_HEADER, API_KEY = "X-Api-Key", "k1"
CLIENT_ID, CLIENT_SECRET = "etl-client", "etl-secret"

DEFAULT_TOTAL, MAX_TOTAL = 1000, 200000
MAX_PAGE = 10000
MAX_BODY = 10 * 1024 * 1024
SEED = 20240501
START_TS = int(datetime(2024, 5, 1, 10, 0, 0, tzinfo=timezone.utc).timestamp())
CURSOR_KEY = b"pg_etl-test-api-cursor"
JSON_TYPE = "application/json; charset=utf-8"


class BadRequest(Exception):
    """Answered as 400 {"error": code, "detail": message}."""

    def __init__(self, detail, code="bad_request"):
        super().__init__(detail)
        self.code = code


# -- the data set -------------------------------------------------------------------
class Tickets:
    """Records generated once, in id order, from one seeded generator: the set for
    total=N is a prefix of the master list, which only grows (under the lock)."""

    WORDS = ["Printer", "Login", "Invoice", "Refund", "Shipping", "Password", "Export",
             "Dashboard", "Report", "Upload", "Billing", "Account"]
    ISSUES = ["fails", "is slow", "shows an error", "times out", "is missing",
              "looks wrong", "needs review", "was duplicated"]
    FIRST = ["Ana", "Bob", "Chloé", "Dmitri", "Eve", "François", "Grace", "Hiro",
             "Ingrid", "José", "Kwame", "Lena", "Müller", "Nadia", "Ola", "Zoë"]
    LAST = ["Smith", "García", "O'Brien", "Nguyen", "Schäfer", "Kowalski", "Tanaka",
            "Dubois", "Okafor", "Ivanova"]
    TAGS = ["billing", "urgent", "vip", "bug", "feature", "mobile", "web", "api"]
    STATUSES = ["open", "pending", "closed"]

    def __init__(self):
        self.lock = threading.Lock()
        self.rng = random.Random(SEED)
        self.ts = []     # epoch seconds per record (index = id - 1)
        self.enc = []    # each record as compact UTF-8 JSON
        self.group_left = 0
        self.group_ts = START_TS

    def ensure(self, n):
        if len(self.enc) >= n:
            return
        with self.lock:
            while len(self.enc) < n:
                self._append()

    def _append(self):
        rng = self.rng
        rid = len(self.enc) + 1
        if self.group_left == 0:
            self.group_left = rng.randint(1, 4)
            if rid > 1:
                self.group_ts += rng.randint(1, 900)
        self.group_left -= 1
        ts = self.group_ts
        # Every field draws from rng whether or not it is kept, so omissions never
        # shift the sequence.
        subject = f"{rng.choice(self.WORDS)} {rng.choice(self.ISSUES)} #{rid}"
        if rid % 97 == 0:
            subject = f'Printer says "PC LOAD LETTER" \\ tray {rid}'
        elif rid % 89 == 0:
            subject = f"Two lines:\nsecond line, ünïcödé ✓ #{rid}"
        status = rng.choice(self.STATUSES)
        priority = rng.randint(1, 5)
        if rng.random() < 0.1:
            priority = None
        first, last = rng.choice(self.FIRST), rng.choice(self.LAST)
        cents = rng.randint(0, 500000)
        tags = rng.sample(self.TAGS, rng.randint(0, 3))
        rec = {"id": rid, "subject": subject, "status": status}
        if rid % 7 != 0:
            rec["priority"] = priority
        rec["updated_at"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))
        if rid % 5 == 0:
            rec["amount"] = cents // 100 if cents % 100 == 0 else cents / 100
        else:
            rec["amount"] = f"{cents // 100}.{cents % 100:02d}"
        email = unicodedata.normalize("NFKD", f"{first}.{last}".lower().replace("'", ""))
        email = email.encode("ascii", "ignore").decode()
        rec["requester"] = {"name": f"{first} {last}", "email": f"{email}{rid}@example.com"}
        if rid % 11 != 0:
            rec["tags"] = tags
        if rid % 13 == 0:
            rec["custom_field"] = f"cf-{rid}"
        self.ts.append(ts)
        self.enc.append(json.dumps(rec, ensure_ascii=False, separators=(",", ":")).encode())


TICKETS = Tickets()


def dumps(obj):
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode()


class Raw(bytes):
    """Already-encoded JSON to splice into an envelope."""


def envelope(pairs):
    """A JSON object from (key, value) pairs; Raw values go in as they are."""
    parts = [dumps(k) + b":" + (v if isinstance(v, Raw) else dumps(v)) for k, v in pairs]
    return b"{" + b",".join(parts) + b"}"


def array(a, b):
    return Raw(b"[" + b",".join(TICKETS.enc[a:b]) + b"]")


def parse_since(value):
    value = value.strip().replace(" ", "+")  # an unencoded "+00:00" arrives as " 00:00"
    try:
        if len(value) == 10:
            dt = datetime.strptime(value, "%Y-%m-%d")
        else:
            dt = datetime.fromisoformat(value.replace("z", "Z").replace("Z", "+00:00"))
    except ValueError:
        raise BadRequest(f"since is not an ISO-8601 timestamp: {value!r}")
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.timestamp()


def sign(payload):
    return hmac.new(CURSOR_KEY, payload.encode(), hashlib.sha256).hexdigest()[:12]


def make_cursor(last_id):
    payload = f"v1|{last_id}"
    return base64.urlsafe_b64encode(f"{payload}|{sign(payload)}".encode()).decode()


def read_cursor(cursor):
    """The last id a cursor points after; BadRequest unless we issued it."""
    try:
        text = base64.urlsafe_b64decode(cursor.encode("ascii")).decode()
        version, last, sig = text.split("|")
        payload = f"{version}|{last}"
        if version != "v1" or not hmac.compare_digest(sig, sign(payload)):
            raise ValueError
        return int(last)
    except (ValueError, UnicodeError, base64.binascii.Error):
        raise BadRequest("unknown cursor", "invalid_cursor")


# -- shared state ---------------------------------------------------------------------
class State:
    def __init__(self):
        self.lock = threading.Lock()
        self.token_seq = 0  # never reset: token names stay unique for the server's life
        self.reset()

    def reset(self):
        # Called with the lock held (or before threads start).
        self.requests = collections.Counter()
        self.connections = 0
        self.connections_total = 0
        self.key_connections = collections.Counter()
        self.tokens_issued = 0
        self.tokens = {}        # token -> expiry (time.monotonic())
        self.revoked = set()
        self.faults = collections.Counter()   # (route, key) -> requests seen
        self.windows = {}       # ratelimit key -> deque of monotonic times answered
        self.request_times = {}
        self.in_flight = 0
        self.max_in_flight = 0


STATE = State()


# -- the handler ----------------------------------------------------------------------
class Handler(LoggedHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, like real APIs
    server_version = "pg_etl-test-api/1.0"
    disable_nagle_algorithm = True  # headers and body go out in separate writes
    timeout = 300                   # idle keep-alive connections end eventually

    ROUTES = {
        "/api/header_link/tickets": ("GET", "r_header_link"),
        "/api/json_link/tickets": ("GET", "r_json_link"),
        "/api/cursor/tickets": ("GET", "r_cursor"),
        "/api/repeat_cursor/tickets": ("GET", "r_repeat_cursor"),
        "/api/offset/tickets": ("GET", "r_offset"),
        "/api/page/tickets": ("GET", "r_page"),
        "/api/has_more/tickets": ("GET", "r_has_more"),
        "/api/array/tickets": ("GET", "r_array"),
        "/api/basic/tickets": ("GET", "r_basic"),
        "/api/bearer/tickets": ("GET", "r_bearer"),
        "/api/apikey/tickets": ("GET", "r_apikey"),
        "/api/oauth/tickets": ("GET", "r_oauth"),
        "/oauth/token": ("POST", "r_token"),
        "/api/flaky/tickets": ("GET", "r_flaky"),
        "/api/throttle/tickets": ("GET", "r_throttle"),
        "/api/ratelimit/tickets": ("GET", "r_ratelimit"),
        "/api/slow/tickets": ("GET", "r_slow"),
        "/api/bad/notjson": ("GET", "r_bad_notjson"),
        "/api/bad/truncated": ("GET", "r_bad_truncated"),
        "/api/bad/500": ("GET", "r_bad_500"),
        "/api/bad/404": ("GET", "r_bad_404"),
        "/api/bad/wrong_path": ("GET", "r_bad_wrong_path"),
        "/api/bad/huge": ("GET", "r_bad_huge"),
        "/graphql": ("POST", "r_graphql"),
        "/admin/stats": ("GET", "r_stats"),
        "/admin/reset": ("POST", "r_reset"),
        "/admin/revoke_tokens": ("POST", "r_revoke"),
    }

    def setup(self):
        super().setup()
        self.conn_counted = False  # one handler per connection
        self.conn_keys = set()
        with STATE.lock:
            STATE.connections_total += 1

    def do_GET(self):
        self.dispatch("GET")

    def do_POST(self):
        self.dispatch("POST")

    def dispatch(self, method):
        url = urllib.parse.urlsplit(self.path)
        self.url = url
        self.params = {k: v[0] for k, v in
                       urllib.parse.parse_qs(url.query, keep_blank_values=True).items()}
        try:
            self.body = self.read_body()
        except BadRequest as e:
            self.close_connection = True
            return self.send_json(413, {"error": "too_large", "detail": str(e)})
        path = url.path
        route = self.ROUTES.get(path)
        admin = path.startswith("/admin/")
        key = self.params.get("key")
        with STATE.lock:
            STATE.requests[path if route else "(no route)"] += 1
            if not admin:
                STATE.in_flight += 1
                STATE.max_in_flight = max(STATE.max_in_flight, STATE.in_flight)
                if not self.conn_counted:
                    self.conn_counted = True
                    STATE.connections += 1
                if key is not None and key not in self.conn_keys:
                    self.conn_keys.add(key)
                    STATE.key_connections[key] += 1
        try:
            if route is None:
                return self.send_json(404, {"error": "not_found", "path": path})
            if route[0] != method:
                return self.send_json(405, {"error": "method_not_allowed", "allow": route[0]},
                                      {"Allow": route[0]})
            getattr(self, route[1])()
        except BadRequest as e:
            self.send_json(400, {"error": e.code, "detail": str(e)})
        finally:
            if not admin:
                with STATE.lock:
                    STATE.in_flight -= 1

    def read_body(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            data = b""
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline().strip():  # trailers
                        pass
                    return data
                data += self.rfile.read(size)
                self.rfile.readline()
                if len(data) > MAX_BODY:
                    raise BadRequest("request body too large")
        n = int(self.headers.get("Content-Length") or 0)
        if n > MAX_BODY:
            raise BadRequest("request body too large")
        return self.rfile.read(n) if n > 0 else b""

    # -- parameters ----------------------------------------------------------------
    def int_param(self, name, default, lo=None, hi=None, clamp_hi=False):
        raw = self.params.get(name)
        if raw is None or raw == "":
            return default
        try:
            v = int(raw)
        except ValueError:
            raise BadRequest(f"{name} is not an integer: {raw!r}")
        if lo is not None and v < lo:
            raise BadRequest(f"{name} must be >= {lo}")
        if hi is not None and v > hi:
            if clamp_hi:
                return hi
            raise BadRequest(f"{name} must be <= {hi}")
        return v

    def num_param(self, name, default, lo, hi):
        raw = self.params.get(name)
        if raw is None or raw == "":
            return default
        try:
            v = float(raw)
        except ValueError:
            raise BadRequest(f"{name} is not a number: {raw!r}")
        if not lo <= v <= hi:
            raise BadRequest(f"{name} must be within {lo}..{hi}")
        return v

    def page_size(self, name):
        return self.int_param(name, 100, lo=1, hi=MAX_PAGE, clamp_hi=True)

    def selection(self, since=None):
        """(start, end): the records left after total, since and since_id, as indexes."""
        n = self.int_param("total", DEFAULT_TOTAL, lo=0, hi=MAX_TOTAL)
        TICKETS.ensure(n)
        start = 0
        since = self.params.get("since") if since is None else since
        if since:
            start = bisect.bisect_left(TICKETS.ts, parse_since(since), 0, n)
        since_id = self.int_param("since_id", None)
        if since_id is not None:
            start = max(start, min(n, since_id))  # ids are indexes + 1
        return start, n

    def url_with(self, **changes):
        """This request's absolute URL with some query parameters replaced."""
        host = self.headers.get("Host") or "%s:%d" % self.server.server_address[:2]
        pairs = [(k, v) for k, v in urllib.parse.parse_qsl(self.url.query, keep_blank_values=True)
                 if k not in changes]
        pairs += [(k, str(v)) for k, v in changes.items()]
        return f"http://{host}{self.url.path}?{urllib.parse.urlencode(pairs)}"

    # -- pagination ----------------------------------------------------------------
    def page_bounds(self, size_name):
        start, end = self.selection()
        page = self.int_param("page", 1, lo=1)
        size = self.page_size(size_name)
        a = min(end, start + (page - 1) * size)
        b = min(end, a + size)
        return start, end, page, size, a, b

    def r_header_link(self):
        start, end, page, size, a, b = self.page_bounds("per_page")
        last = max(1, math.ceil((end - start) / size))
        links = [(1, "first")]
        if page > 1:
            links.append((min(page - 1, last), "prev"))
        if b < end:
            links.append((page + 1, "next"))
        links.append((last, "last"))
        link = ", ".join(f'<{self.url_with(page=p)}>; rel="{rel}"' for p, rel in links)
        self.send_json(200, array(a, b), {"Link": link})

    def r_json_link(self):
        start, end, page, size, a, b = self.page_bounds("per_page")
        nxt = self.url_with(page=page + 1) if b < end else None
        self.send_json(200, envelope([("tickets", array(a, b)), ("next", nxt), ("count", end - start)]))

    def r_has_more(self):
        start, end, page, size, a, b = self.page_bounds("per_page")
        self.send_json(200, envelope([("data", array(a, b)), ("has_more", b < end)]))

    def r_page(self):
        start, end, page, size, a, b = self.page_bounds("page_size")
        self.send_json(200, envelope([("tickets", array(a, b)), ("page", page),
                                      ("total_pages", math.ceil((end - start) / size)),
                                      ("total", end - start)]))

    def offset_body(self, items_key="tickets"):
        start, end = self.selection()
        offset = self.int_param("offset", 0, lo=0)
        limit = self.page_size("limit")
        a = min(end, start + offset)
        b = min(end, a + limit)
        return envelope([(items_key, array(a, b)), ("total", end - start)])

    def r_offset(self):
        self.send_json(200, self.offset_body())

    def r_array(self):
        start, end = self.selection()
        self.send_json(200, array(start, end))

    def cursor_page(self, after, limit, since=None):
        """(start, end, a, b) of the page after cursor `after` (None: the first page)."""
        start, end = self.selection(since)
        a = start if after is None else min(end, max(start, read_cursor(after)))
        return start, end, a, min(end, a + limit)

    def r_cursor(self, repeat=False):
        after = self.params.get("after") or None
        limit = self.page_size("limit")
        start, end, a, b = self.cursor_page(after, limit)
        more = b < end
        nxt = make_cursor(b) if more else None
        if repeat and more and after is not None and a != min(end, start + limit):
            nxt = after  # past page 2 the cursor stops moving
        self.send_json(200, envelope([("tickets", array(a, b)),
                                      ("meta", {"next_cursor": nxt, "has_more": more})]))

    def r_repeat_cursor(self):
        self.r_cursor(repeat=True)

    # -- auth ----------------------------------------------------------------------
    def unauthorized(self, error, challenge, detail=None):
        body = {"error": error}
        if detail:
            body["detail"] = detail
        self.send_json(401, body, {"WWW-Authenticate": challenge})

    def basic_credentials(self):
        """(user, password) from an HTTP Basic Authorization header, else None."""
        scheme, _, value = self.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "basic":
            return None
        try:
            user, sep, password = base64.b64decode(value.strip(), validate=True).decode().partition(":")
        except (ValueError, UnicodeError):
            return None
        return (user, password) if sep else None

    def bearer_token(self):
        scheme, _, value = self.headers.get("Authorization", "").partition(" ")
        return value.strip() if scheme.lower() == "bearer" else None

    def r_basic(self):
        if self.basic_credentials() != (BASIC_USER, BASIC_PASSWORD):
            return self.unauthorized("unauthorized", 'Basic realm="pg_etl"', "HTTP Basic etl credentials required")
        self.send_json(200, self.offset_body())

    def r_bearer(self):
        if self.bearer_token() != BEARER_TOKEN:
            return self.unauthorized("invalid_token", 'Bearer realm="pg_etl", error="invalid_token"')
        self.send_json(200, self.offset_body())

    def r_apikey(self):
        if self.headers.get(API_KEY_HEADER) != API_KEY and self.params.get("api_key") != API_KEY:
            return self.unauthorized("invalid_api_key", f'ApiKey realm="pg_etl", header="{API_KEY_HEADER}"',
                                     f"{API_KEY_HEADER} header or api_key parameter required")
        self.send_json(200, self.offset_body())

    def r_token(self):
        expires_in = self.int_param("expires_in", 3600, lo=0, hi=10 ** 9)
        form = {k: v[0] for k, v in urllib.parse.parse_qs(
            self.body.decode("utf-8", "replace"), keep_blank_values=True).items()}
        creds = self.basic_credentials()
        if creds is not None:  # RFC 6749 2.3.1: form-urlencoded inside Basic
            creds = tuple(urllib.parse.unquote_plus(c) for c in creds)
        elif "client_id" in form:
            creds = (form.get("client_id"), form.get("client_secret"))
        if creds != (CLIENT_ID, CLIENT_SECRET):
            return self.unauthorized("invalid_client", 'Basic realm="pg_etl"')
        grant = form.get("grant_type")
        if grant != "client_credentials":
            return self.send_json(400, {"error": "unsupported_grant_type" if grant else "invalid_request"})
        with STATE.lock:
            STATE.token_seq += 1
            STATE.tokens_issued += 1
            token = f"at-{STATE.token_seq}"
            STATE.tokens[token] = time.monotonic() + expires_in
        body = {"access_token": token, "token_type": "Bearer", "expires_in": expires_in}
        if form.get("scope"):
            body["scope"] = form["scope"]
        self.send_json(200, body, {"Cache-Control": "no-store", "Pragma": "no-cache"})

    def r_oauth(self):
        token = self.bearer_token()
        with STATE.lock:
            expiry = STATE.tokens.get(token)
            why = ("missing" if token is None else "unknown" if expiry is None else
                   "revoked" if token in STATE.revoked else
                   "expired" if time.monotonic() >= expiry else None)
        if why:
            return self.unauthorized("invalid_token", 'Bearer realm="pg_etl", error="invalid_token"',
                                     f"token {why}")
        self.send_json(200, self.offset_body())

    def r_revoke(self):
        with STATE.lock:
            fresh = set(STATE.tokens) - STATE.revoked
            STATE.revoked |= fresh
        self.send_json(200, {"revoked": len(fresh)})

    # -- faults --------------------------------------------------------------------
    def count_fault(self, route):
        """This request's 1-based number for (route, key); records its time."""
        key = self.params.get("key") or "default"
        with STATE.lock:
            STATE.faults[(route, key)] += 1
            STATE.request_times.setdefault(key, []).append(round(time.time(), 3))
            return key, STATE.faults[(route, key)]

    def r_flaky(self):
        fail = self.int_param("fail", 2, lo=0)
        status = self.int_param("status", 500, lo=400, hi=599)
        self.selection()  # parameters checked before any fault
        _, n = self.count_fault("flaky")
        if n <= fail:
            return self.send_json(status, {"error": "upstream_failure", "status": status, "attempt": n})
        self.send_json(200, self.offset_body())

    def r_throttle(self):
        times = self.int_param("times", 2, lo=0)
        retry_after = self.int_param("retry_after", 1, lo=0, hi=86400)
        fmt = self.params.get("format", "seconds")
        if fmt not in ("seconds", "date"):
            raise BadRequest("format must be seconds or date")
        self.selection()
        _, n = self.count_fault("throttle")
        if n <= times:
            value = (str(retry_after) if fmt == "seconds" else
                     email.utils.formatdate(math.ceil(time.time() + retry_after), usegmt=True))
            return self.send_json(429, {"error": "rate_limited", "retry_after": retry_after, "attempt": n},
                                  {"Retry-After": value})
        self.send_json(200, self.offset_body())

    def r_ratelimit(self):
        rps = self.int_param("rps", 10, lo=1)
        body = self.offset_body()
        key, _ = self.count_fault("ratelimit")
        now = time.monotonic()
        with STATE.lock:
            window = STATE.windows.setdefault(key, collections.deque())
            while window and window[0] <= now - 1.0:
                window.popleft()
            allowed = len(window) < rps
            if allowed:
                window.append(now)
        if not allowed:
            return self.send_json(429, {"error": "rate_limited", "limit": rps}, {"Retry-After": "1"})
        self.send_json(200, body)

    def r_slow(self):
        delay = self.num_param("delay", 2.0, 0, 300)
        body = self.offset_body()
        time.sleep(delay)
        self.send_json(200, body)

    # -- bad answers ---------------------------------------------------------------
    def r_bad_notjson(self):
        self.send_bytes(200, b"<html><body>Service unavailable</body></html>", "text/html; charset=utf-8")

    def r_bad_truncated(self):
        self.selection()
        full = envelope([("tickets", array(0, 20)), ("total", 20)])
        self.send_bytes(200, full[:len(full) // 2], JSON_TYPE)

    def r_bad_500(self):
        self.send_json(500, {"error": "internal", "detail": "database is down"})

    def r_bad_404(self):
        self.send_json(404, {"error": "not_found"})

    def r_bad_wrong_path(self):
        self.send_json(200, self.offset_body(items_key="items"))

    def r_bad_huge(self):
        mb = self.num_param("mb", 5.0, 0, 4096)
        TICKETS.ensure(100)
        block = b",".join(TICKETS.enc[:100])  # ~20 kB; streamed, never held whole
        want = int(mb * 1024 * 1024)
        k = max(1, math.ceil((want - 2) / (len(block) + 1)))
        self.send_response(200)
        self.send_header("Content-Type", JSON_TYPE)
        self.send_header("Content-Length", str(2 + k * len(block) + (k - 1)))
        self.end_headers()
        self.wfile.write(b"[" + block)
        sep_block = b"," + block
        for _ in range(k - 1):
            self.wfile.write(sep_block)
        self.wfile.write(b"]")

    # -- GraphQL -------------------------------------------------------------------
    def gql_errors(self, message, code=200, **extra):
        err = {"message": message}
        err.update(extra)
        self.send_json(code, {"errors": [err], "data": None})

    def r_graphql(self):
        if "Authorization" in self.headers and self.bearer_token() != BEARER_TOKEN:
            return self.send_json(401, {"errors": [{"message": "Unauthorized: invalid bearer token"}]},
                                  {"WWW-Authenticate": 'Bearer realm="pg_etl", error="invalid_token"'})
        try:
            req = json.loads(self.body or b"null")
        except ValueError as e:
            return self.send_json(400, {"errors": [{"message": f"Body is not JSON: {e}"}]})
        if not isinstance(req, dict):
            return self.send_json(400, {"errors": [{"message": "Body must be a JSON object"}]})
        query = req.get("query")
        if not isinstance(query, str) or "syntaxError" in query:
            return self.gql_errors('Syntax Error: Unexpected Name "syntaxError".'
                                   if isinstance(query, str) else "Syntax Error: query must be a string.",
                                   locations=[{"line": 1, "column": 1}])
        if "tickets" not in query:
            return self.gql_errors('Cannot query field on type "Query".', locations=[{"line": 1, "column": 1}])
        variables = req.get("variables") if isinstance(req.get("variables"), dict) else {}
        first = variables.get("first", 100)
        if not isinstance(first, int) or isinstance(first, bool) or first < 1:
            return self.gql_errors("Variable $first must be a positive Int.", path=["tickets"])
        first = min(first, MAX_PAGE)
        after, since = variables.get("after"), variables.get("since")
        try:
            if since is not None and not isinstance(since, str):
                raise BadRequest("since must be a string")
            if after is not None and not isinstance(after, str):
                raise BadRequest("unknown cursor", "invalid_cursor")
            start, end, a, b = self.cursor_page(after or None, first, since or "")
        except BadRequest as e:
            return self.gql_errors(f"Invalid argument: {e}", path=["tickets"],
                                   extensions={"code": "BAD_USER_INPUT"})
        conn = envelope([("nodes", array(a, b)),
                         ("pageInfo", {"hasNextPage": b < end, "endCursor": make_cursor(b) if b > a else None}),
                         ("totalCount", end - start)])
        pairs = [("data", Raw(envelope([("tickets", Raw(conn))])))]
        if "partialError" in query:
            pairs.append(("errors", [{"message": "Could not resolve requester for some nodes",
                                      "path": ["tickets", "nodes", 0, "requester"],
                                      "extensions": {"code": "INTERNAL_SERVER_ERROR"}}]))
        self.send_json(200, envelope(pairs))

    # -- admin ---------------------------------------------------------------------
    def r_stats(self):
        with STATE.lock:
            body = {"requests": dict(STATE.requests), "tokens_issued": STATE.tokens_issued,
                    "max_in_flight": STATE.max_in_flight, "in_flight": STATE.in_flight,
                    "request_times": {k: list(v) for k, v in STATE.request_times.items()},
                    "connections": STATE.connections, "connections_total": STATE.connections_total,
                    "key_connections": dict(STATE.key_connections)}
        self.send_json(200, body)

    def r_reset(self):
        with STATE.lock:
            in_flight = STATE.in_flight
            STATE.reset()
            STATE.in_flight = in_flight  # requests under way still end (and decrement)
        self.send_json(200, {"reset": True})

    # -- responses -----------------------------------------------------------------
    def send_bytes(self, code, body, ctype, extra=None):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def send_json(self, code, obj, extra=None):
        self.send_bytes(code, obj if isinstance(obj, bytes) else dumps(obj), JSON_TYPE, extra)

    # -- logging -------------------------------------------------------------------
    def logged_path(self):
        return re.sub(r"(?i)(api_key=)[^&]*", r"\1REDACTED", self.path)


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # parallel tests open many connections at once

    def handle_error(self, request, client_address):
        # A client that hangs up mid-response (timeouts, cancellation) is normal here.
        if isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError, TimeoutError)):
            return
        super().handle_error(request, client_address)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--host", "--bind", dest="host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--state-dir", help="servers.sh's state directory; only names the process "
                    "(servers.sh finds its own servers by it in /proc/PID/cmdline)")
    args = ap.parse_args()

    TICKETS.ensure(DEFAULT_TOTAL)
    server = Server((args.host, args.port), Handler)
    sys.stderr.write(f"serving the test API at http://{args.host}:{args.port}/\n")
    sys.stderr.flush()
    server.serve_forever()


if __name__ == "__main__":
    main()
