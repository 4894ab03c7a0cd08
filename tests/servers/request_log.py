"""Request logging shared by the test HTTP peers (http_server.py, api_server.py): one
line per request on stderr (the server's log file) with method, path, whether an
Authorization header was present (never its value) and the status."""
import sys
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler


class LoggedHandler(BaseHTTPRequestHandler):
    def logged_path(self):
        """The path as logged; handlers override it to hide credentials in queries."""
        return self.path

    def log_request(self, code="-", size="-"):
        if isinstance(code, HTTPStatus):
            code = code.value
        auth = "present" if "Authorization" in self.headers else "absent"
        sys.stderr.write(f"{self.log_date_time_string()} {self.command} {self.logged_path()} "
                         f"authorization={auth} status={code}\n")
        sys.stderr.flush()

    def log_message(self, fmt, *args):  # errors only (log_request handles requests)
        sys.stderr.write(f"{self.log_date_time_string()} {fmt % args}\n")
        sys.stderr.flush()
