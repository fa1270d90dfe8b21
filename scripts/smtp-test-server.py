#!/usr/bin/env python3
"""A real SMTP server on loopback for the mail tests (aiosmtpd).

    smtp-test-server.py PORT DIR [--tls CERT KEY] [--auth USER:PASSWORD] [--delay SECONDS]
                        [--refuse-while FILE]

Writes each accepted message to DIR/<n>.eml (numbering on from the files already there) and
prints "ready" once listening. The recipient chooses the reply, so one server serves every case:
  tempfail-...@...  451 on the first RCPT for that address, 250 afterwards
  reject-...@...    550 on RCPT
  anything else     250
--delay makes each DATA take that long (a slow server, to catch a worker mid-batch).
--refuse-while answers 451 to every RCPT while FILE exists (a relay refusing for a while).
"""
import asyncio
import os
import signal
import sys
import threading

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class Handler:
    def __init__(self, directory, delay=0.0, refuse_while=None):
        self.directory = directory
        self.delay = delay
        self.refuse_while = refuse_while
        self.count = len([name for name in os.listdir(directory) if name.endswith(".eml")])
        self.tempfailed = set()
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refuse_while and os.path.exists(self.refuse_while):
            return "451 4.3.0 relay unavailable, try again later"
        local = address.split("@", 1)[0]
        if local.startswith("reject-"):
            return "550 5.1.1 mailbox unavailable"
        if local.startswith("tempfail-") and address not in self.tempfailed:
            self.tempfailed.add(address)
            return "451 4.3.0 try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        with self.lock:
            self.count += 1
            number = self.count
        path = os.path.join(self.directory, f"{number:06d}.eml")
        with open(path + ".tmp", "wb") as handle:
            handle.write(f"X-Envelope-From: {envelope.mail_from}\r\n".encode())
            handle.write(f"X-Envelope-To: {','.join(envelope.rcpt_tos)}\r\n".encode())
            handle.write(envelope.original_content)
        os.rename(path + ".tmp", path)
        return "250 Message accepted for delivery"


def main():
    # A parent may start us with signals blocked (Foundation's Process does): unblock them, so
    # SIGTERM ends the server.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    port = int(sys.argv[1])
    directory = sys.argv[2]
    os.makedirs(directory, exist_ok=True)
    options = sys.argv[3:]
    kwargs = {}
    if "--tls" in options:
        import ssl
        index = options.index("--tls")
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(options[index + 1], options[index + 2])
        kwargs.update(tls_context=context, require_starttls=True)
    if "--auth" in options:
        user, password = options[options.index("--auth") + 1].split(":", 1)

        def authenticator(server, session, envelope, mechanism, auth_data):
            if isinstance(auth_data, LoginPassword) and auth_data.login.decode() == user \
                    and auth_data.password.decode() == password:
                return AuthResult(success=True)
            return AuthResult(success=False, handled=False)

        kwargs.update(authenticator=authenticator, auth_required=True, auth_require_tls="--tls" in options)
    delay = float(options[options.index("--delay") + 1]) if "--delay" in options else 0.0
    refuse_while = options[options.index("--refuse-while") + 1] if "--refuse-while" in options else None
    controller = Controller(Handler(directory, delay, refuse_while), hostname="127.0.0.1", port=port, **kwargs)
    controller.start()
    print("ready", flush=True)
    try:
        threading.Event().wait()
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
