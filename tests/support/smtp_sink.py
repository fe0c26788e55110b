#!/usr/bin/python3
"""A real SMTP server on loopback for the transport and outbox tests (Debian's python3-aiosmtpd).

It listens on 127.0.0.1 on a port the system picks and writes that port to --port-file once it
accepts connections. Every message it accepts becomes one JSON file in --out, numbered in the
order they arrived (00001.json, ...), written whole before the 250 reply so that a client that
saw 250 always finds the file: the envelope, the raw message, and its headers, text part and
HTML part decoded by Python's email package.

Options: --auth USER:PASSWORD requires that login (a wrong one gets 535); --starttls CERT KEY
offers and requires STARTTLS; --tls CERT KEY speaks TLS from the first byte; --refuse-first N
answers the first N messages with 451 (for retry tests). It exits when its standard input
closes, so a test process that dies does not leave it behind.
"""

import argparse
import asyncio
import email
import email.policy
import json
import logging
import os
import ssl
import sys
import threading
import warnings

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

REFUSAL = "451 4.3.0 Mailbox busy, try again later"


class Sink:
    def __init__(self, out, refuse_first, implicit_tls):
        self.out = out
        self.refuse_left = refuse_first
        self.implicit_tls = implicit_tls
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        if self.refuse_left > 0:
            self.refuse_left -= 1
            return REFUSAL
        self.count += 1
        raw = envelope.original_content or b""
        message = email.message_from_bytes(raw, policy=email.policy.default)
        if self.implicit_tls:
            tls = "tls"
        elif session.ssl is not None:
            tls = "starttls"
        else:
            tls = "none"
        login = None
        if session.authenticated and isinstance(session.auth_data, LoginPassword):
            login = session.auth_data.login.decode("utf-8", "replace")
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_to": list(envelope.rcpt_tos),
            "tls": tls,
            "login": login,
            "headers": [[name, str(value)] for name, value in message.items()],
            "text": body_of(message, "plain"),
            "html": body_of(message, "html"),
            "raw": raw.decode("utf-8", "replace"),
        }
        path = os.path.join(self.out, f"{self.count:05d}.json")
        with open(path + ".tmp", "w", encoding="utf-8") as f:
            json.dump(record, f)
        os.replace(path + ".tmp", path)
        return f"250 2.0.0 Ok: queued as sink-{self.count}"


def body_of(message, subtype):
    part = message.get_body(preferencelist=(subtype,))
    if part is None or part.get_content_subtype() != subtype:
        return None
    # Line ends as the text was written, not as SMTP carries them.
    return part.get_content().replace("\r\n", "\n")


def server_context(cert, key):
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context


def watch_stdin():
    sys.stdin.buffer.read()
    os._exit(0)


async def serve(args):
    starttls = server_context(*args.starttls) if args.starttls else None
    implicit = server_context(*args.tls) if args.tls else None
    user, password = None, None
    if args.auth:
        user, _, password = args.auth.partition(":")
        user, password = user.encode(), password.encode()

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login == user
            and auth_data.password == password
        )
        # handled=False: smtp_AUTH answers 235 or 535 itself.
        return AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)

    handler = Sink(args.out, args.refuse_first, implicit is not None)
    loop = asyncio.get_running_loop()

    def protocol():
        return SMTP(
            handler,
            hostname="sink.test",
            ident="ptclinic test sink",
            tls_context=starttls,
            require_starttls=starttls is not None,
            authenticator=authenticator if args.auth else None,
            auth_required=bool(args.auth),
            # aiosmtpd only knows TLS it started itself; over implicit TLS a login is safe too.
            auth_require_tls=implicit is None,
            loop=loop,
        )

    server = await loop.create_server(protocol, host="127.0.0.1", port=0, ssl=implicit)
    port = server.sockets[0].getsockname()[1]
    with open(args.port_file + ".tmp", "w") as f:
        f.write(f"{port}\n")
    os.replace(args.port_file + ".tmp", args.port_file)
    async with server:
        await server.serve_forever()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port-file", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--auth", metavar="USER:PASSWORD")
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--starttls", nargs=2, metavar=("CERT", "KEY"))
    group.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"))
    parser.add_argument("--refuse-first", type=int, default=0, metavar="N")
    args = parser.parse_args()
    # aiosmtpd warns about settings a test sink chooses on purpose.
    warnings.filterwarnings("ignore")
    logging.getLogger("mail.log").setLevel(logging.ERROR)
    threading.Thread(target=watch_stdin, daemon=True).start()
    asyncio.run(serve(args))


if __name__ == "__main__":
    main()
