"""``python -m widgets scorecard``: what a provider enforces after login (widgets.diagnose.scorecard).

Each login is done by a person: the link is printed, and the address the browser lands on is
read from standard input (paste it, or an empty line when the provider showed an error page),
or caught on ``http://127.0.0.1:PORT/callback`` with ``--loopback`` (RFC 8252 §7.3; the
catcher takes only an answer with the login's state, so the one login sent without state is
pasted even then). ``--demo``
runs the card against a demo provider started here, whose scripted browser does the logins.
"""

from __future__ import annotations

import socket
import sys
from urllib.parse import urlsplit

from ..core.config import AuthType
from ..core.redact import scrub
from .exits import EXIT_OK

__all__ = ["add_scorecard_command"]


def add_scorecard_command(add, parents: list, port_type, seconds_type) -> None:
    """Add the ``scorecard`` command; ``add(name, help, parents)`` makes a subparser."""
    from ..diagnose.scorecard import check_keys, logins_needed

    p = add("scorecard", "log in and check what the provider enforces after login (one row per check)", parents)
    p.add_argument("--checks", nargs="+", choices=check_keys(), metavar="CHECK",
                   help=f"only these checks (default: all; a full card needs at most {logins_needed()} logins): "
                   + ", ".join(check_keys()))
    p.add_argument("--demo", action="store_true",
                   help="check a demo provider started here (strict defaults); its scripted browser logs in")
    p.add_argument("--loopback", action="store_true",
                   help="catch each login's answer on http://127.0.0.1:PORT/callback instead of reading it pasted")
    p.add_argument("--port", type=port_type, default=0, help="port for --loopback (default: any free port)")
    p.add_argument("--wait", type=seconds_type, default=120.0, help="seconds --loopback waits per login (default 120)")
    p.add_argument("--csv", metavar="PATH", help="also write the card as CSV")
    p.add_argument("--html", metavar="PATH", help="also write the card as HTML")
    p.set_defaults(handler=_cmd_scorecard)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _pasted(out):
    def login(url: str) -> str | None:
        out.info(f"\nOpen this link, log in and approve:\n  {url}\n"
                 "Then paste the address the browser lands on (an empty line if the provider shows an error):")
        return sys.stdin.readline().strip() or None

    return login


def _caught(out, wait: float):
    from ..diagnose.catcher import CatcherError, CatcherTimeout, LoopbackCatcher

    def login(url: str, redirect_uri: str, state: str | None) -> str | None:
        parts = urlsplit(redirect_uri)
        if parts.hostname != "127.0.0.1" or not parts.port:
            out.info(f"\nOpen this link and log in (its answer goes to {redirect_uri}, not caught here):\n  {url}")
            return None
        if state is None:
            # The catcher takes only answers with the state it expects: this one is pasted.
            out.info("(this login's request has no state on purpose, so its answer cannot be caught)")
            return _pasted(out)(url)
        try:
            with LoopbackCatcher(port=parts.port, path=parts.path or "/", timeout=wait) as catcher:
                catcher.expect(state)
                out.info(f"\nOpen this link, log in and approve (waiting {wait:g} s on {redirect_uri}):\n  {url}")
                return catcher.wait()
        except (CatcherTimeout, CatcherError) as exc:
            out.info(f"nothing caught: {scrub(exc.message)}")
            return None

    return login


def _cmd_scorecard(args, out, transcript) -> int:
    from ..diagnose.scorecard import ScorecardRun
    from .commands import _config

    demo = None
    try:
        if args.demo:
            from ..demo import DemoProvider

            demo = DemoProvider().start()
            from ..core.config import THOUSANDEYES_REDIRECT_URI, WebhookAuthConfig

            config = WebhookAuthConfig(auth_type=AuthType.OAUTH_CODE, scope=args.scope or "alerts:write alerts:read",
                                       **dict(demo.client_settings(), redirect_uri=THOUSANDEYES_REDIRECT_URI))
        else:
            config, _ = _config(args, out, AuthType.OAUTH_CODE, transcript)
            if args.loopback and not args.redirect_uri:
                config = config.replace(redirect_uri=f"http://127.0.0.1:{args.port or _free_port()}/callback")
        run = ScorecardRun(config, args.checks, transcript)
        out.info(f"This card needs at most {run.logins_needed} login(s); a provider that refuses a request before "
                 "its login page needs fewer.")
        caught = _caught(out, args.wait) if args.loopback and not demo else None
        pasted = _pasted(out)
        pending = run.next_login()
        while pending is not None:
            out.info(f"login {run.logins_done + 1}: {pending.purpose}")
            if demo is not None:
                try:
                    landed = demo.approve(pending.url)
                except RuntimeError as exc:
                    landed = f"error page: {exc}"
            elif caught is not None:
                landed = caught(pending.url, pending.redirect_uri, pending.state)
            else:
                landed = pasted(pending.url)
            pending = run.answer(landed)
        card = run.result()
    finally:
        if demo is not None:
            demo.stop()
    if args.csv:
        card.to_csv(args.csv)
    if args.html:
        card.to_html(args.html)
    out.result(card.to_text() + f"\n({card.logins} login(s) done)",
               {"logins": card.logins, "checks": card.to_dicts()})
    return EXIT_OK
