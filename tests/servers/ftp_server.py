#!/usr/bin/python3
"""FTP / FTPS server for pg_etl's integration tests: Debian's python3-pyftpdlib.

  --mode plain      plain FTP
  --mode explicit   FTPS with AUTH TLS on a plain port (curl: ftp:// + --ssl-reqd);
                    TLS is required on the control and the data connections
  --mode implicit   FTPS with TLS from the first byte (curl: ftps://)

One user (read-only plus listing, 'elr') whose home is --root; passive data ports come
from a small fixed range on 127.0.0.1. MLSD/MLST, SIZE, MDTM and REST are pyftpdlib's.
Runs in the foreground and logs to stderr.
"""
import argparse
import logging

from pyftpdlib.authorizers import DummyAuthorizer
from pyftpdlib.handlers import FTPHandler, TLS_DTPHandler, TLS_FTPHandler
from pyftpdlib.servers import FTPServer


class HandshakingTLS_DTPHandler(TLS_DTPHandler):
    """pyftpdlib 1.5.7 closes a data connection that turns readable before the transfer
    command arrives. curl connects the data channel right after PASV/EPSV and starts
    its TLS handshake at once, so the server reset it ("curl: (13) Bad PASV/EPSV
    response"). Stay readable while the handshake is under way, as upstream's fix
    (pyftpdlib pull request 612, "SSLConnection is readable when it's accepting") does."""

    def readable(self):
        return self._ssl_accepting or super().readable()


class ImplicitTLSHandler(TLS_FTPHandler):
    """Implicit FTPS: handshake as soon as the client connects, banner afterwards.
    pyftpdlib only speaks explicit AUTH TLS; this reuses its TLS machinery."""

    def handle(self):
        self.secure_connection(self.ssl_context)

    def handle_ssl_established(self):
        TLS_FTPHandler.handle(self)  # the 220 banner, now over TLS


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bind", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--passive-ports", required=True, metavar="FIRST-LAST")
    ap.add_argument("--root", required=True, help="the user's home directory")
    ap.add_argument("--user", required=True)
    ap.add_argument("--password", required=True)
    ap.add_argument("--mode", choices=("plain", "explicit", "implicit"), default="plain")
    ap.add_argument("--cert", help="PEM certificate (chain) for explicit/implicit")
    ap.add_argument("--key", help="PEM private key for explicit/implicit")
    args = ap.parse_args()

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")

    authorizer = DummyAuthorizer()
    authorizer.add_user(args.user, args.password, args.root, perm="elr")

    if args.mode == "plain":
        handler = FTPHandler
    else:
        if not (args.cert and args.key):
            ap.error("--cert and --key are required for TLS modes")
        handler = ImplicitTLSHandler if args.mode == "implicit" else TLS_FTPHandler
        handler.dtp_handler = HandshakingTLS_DTPHandler
        handler.certfile = args.cert
        handler.keyfile = args.key
        handler.tls_control_required = True
        handler.tls_data_required = True
    handler.authorizer = authorizer
    first, last = (int(p) for p in args.passive_ports.split("-"))
    handler.passive_ports = range(first, last + 1)
    handler.banner = f"pg_etl test FTP server ({args.mode})"

    server = FTPServer((args.bind, args.port), handler)
    server.max_cons = 64
    server.serve_forever()


if __name__ == "__main__":
    main()
