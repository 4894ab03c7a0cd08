#!/usr/bin/python3
"""An SMTP server for pg_etl's e-mail notification tests, on 127.0.0.1 (Debian's
python3-aiosmtpd).

Every message accepted is stored as one JSON line in --store: envelope sender and
recipients, the raw message (data), whether the session used TLS, and the login it
authenticated as (never a password).

  --user U --password P     AUTH LOGIN and PLAIN with this login (--mechanisms limits
                            which are offered); without them AUTH always fails
  --cert PEM --key PEM      STARTTLS with this certificate
  --auth-require-tls        AUTH only after STARTTLS (not even offered before)
  --require-starttls        nothing but EHLO, NOOP, QUIT and STARTTLS before STARTTLS
  --require-auth            MAIL only after AUTH
Recipients whose local part is temp451 or reject550 are refused with 451 (temporary)
or 550 (permanent), so tests can see both kinds of refusal.

The port: --port (0, the default, lets the OS choose); it is printed as "port N" and
written to --port-file once the server listens. The log (stderr) names connections,
commands' outcomes and logins, never message bodies or passwords.
"""
import argparse
import asyncio
import hmac
import json
import logging
import os
import ssl
import sys
import time

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


def log(text):
    sys.stderr.write(f"{time.strftime('%Y-%m-%d %H:%M:%S')} {text}\n")
    sys.stderr.flush()


class Store:
    def __init__(self, path):
        self.path = path

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        local = address.split("@")[0].lower()
        if local == "temp451":
            log(f"RCPT {address}: 451")
            return "451 4.3.0 try again later"
        if local == "reject550":
            log(f"RCPT {address}: 550")
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        data = envelope.content.decode("utf-8", "replace") if isinstance(envelope.content, bytes) else envelope.content
        login = session.auth_data.login.decode() if isinstance(session.auth_data, LoginPassword) else None
        record = {
            "time": time.time(),
            "mail_from": envelope.mail_from,
            "rcpt_tos": list(envelope.rcpt_tos),
            "data": data,
            "tls": session.ssl is not None,
            "auth_user": login,
        }
        with open(self.path, "a", encoding="utf-8") as f:
            f.write(json.dumps(record) + "\n")
        log(f"stored a message from {envelope.mail_from} to {', '.join(envelope.rcpt_tos)} "
            f"(tls={record['tls']}, login={login})")
        return "250 2.0.0 stored"


def authenticator(user, password):
    def check(server, session, envelope, mechanism, auth_data):
        ok = (user is not None and isinstance(auth_data, LoginPassword)
              and hmac.compare_digest(auth_data.login, user.encode())
              and hmac.compare_digest(auth_data.password, password.encode()))
        login = auth_data.login.decode("utf-8", "replace") if isinstance(auth_data, LoginPassword) else "?"
        log(f"AUTH {mechanism} as {login}: {'accepted' if ok else 'refused'} (tls={session.ssl is not None})")
        # handled=False: aiosmtpd answers the refusal itself (535)
        return AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)
    return check


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--port-file")
    p.add_argument("--store", required=True, help="JSON lines, one per message")
    p.add_argument("--user")
    p.add_argument("--password")
    p.add_argument("--mechanisms", default="LOGIN,PLAIN", help="AUTH mechanisms offered")
    p.add_argument("--cert")
    p.add_argument("--key")
    p.add_argument("--auth-require-tls", action="store_true")
    p.add_argument("--require-starttls", action="store_true")
    p.add_argument("--require-auth", action="store_true")
    opts = p.parse_args()
    # aiosmtpd logs each command's data at DEBUG (AUTH included), and a deprecation
    # warning per login: errors only.
    logging.basicConfig(level=logging.ERROR, stream=sys.stderr)

    tls = None
    if opts.cert:
        tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls.load_cert_chain(opts.cert, opts.key)
    offered = {m.strip().upper() for m in opts.mechanisms.split(",") if m.strip()}
    store = Store(opts.store)

    def factory():
        return SMTP(store, hostname="pg-etl-test-smtp", tls_context=tls, require_starttls=opts.require_starttls,
                    auth_required=opts.require_auth, auth_require_tls=opts.auth_require_tls,
                    auth_exclude_mechanism=[m for m in ("LOGIN", "PLAIN") if m not in offered],
                    authenticator=authenticator(opts.user, opts.password or ""))

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    server = loop.run_until_complete(loop.create_server(factory, "127.0.0.1", opts.port))
    port = server.sockets[0].getsockname()[1]
    if opts.port_file:  # written whole, then renamed: a reader never sees half a number
        with open(opts.port_file + ".tmp", "w") as f:
            f.write(f"{port}\n")
        os.replace(opts.port_file + ".tmp", opts.port_file)
    print(f"port {port}", flush=True)
    log(f"listening on 127.0.0.1:{port} (starttls={'yes' if tls else 'no'}, auth_require_tls={opts.auth_require_tls})")
    loop.run_forever()


if __name__ == "__main__":
    main()
