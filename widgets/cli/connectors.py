"""``python -m widgets audit|push|keep``: ThousandEyes connectors after the paste.

::

    audit                 every generic connector of an account group: token (masked), expiry,
                          time left, whether the token endpoint accepts the stored OAuth client;
                          with --deliver, one test alert to each receiver and its answer
    push CONNECTOR_ID     a new token into a connector; a dry run (masked before/after and the
                          exact JSON) unless --apply
    keep CONNECTOR_ID     refresh before expiry and push the new token: once (cron, a systemd
                          timer) or --loop --runs N; one masked line per run

No secret on the command line: the TE API token comes from ``--te-token-env VAR`` (default
``TE_API_TOKEN``) or ``--te-token-file PATH``; a token to push from ``--token-env``,
``--token-file`` or ``--token-stdin``; the client secret from ``--client-secret-env`` or
``--client-secret-file``; a refresh token to seed the store from standard input only. Exit codes
as for the other commands (2 settings, 3 refused, 5 no answer); each error's class carries its code.
"""

from __future__ import annotations

import argparse
import json
import sys

from ..core.config import CLIENT_AUTH_METHODS
from ..core.redact import remember

__all__ = ["add_commands"]

# The same as widgets.connectors.client's (a test says so); not imported from there, so that
# parsing any command does not import the SDK.
TE_DEFAULT_HOST = "https://api.thousandeyes.com/v7"
TE_TOKEN_ENV = "TE_API_TOKEN"

_EPILOG = """\
Never put a secret on the command line: `ps` shows it to everyone on the machine. The TE API
token comes from --te-token-env VAR (default TE_API_TOKEN) or --te-token-file PATH (mode 0600).
exit codes: 0 ok, 2 settings/usage, 3 refused by the API or the provider, 5 no answer, 1 other."""


class _Refuse(argparse.Action):
    def __call__(self, parser, namespace, values, option_string=None):
        # The value is deliberately not repeated anywhere.
        parser.error(f"{option_string} is not accepted: a secret on the command line is visible to every user "
                     "through `ps` and lands in shell history. Use the matching -env VAR or -file PATH option.")


def _positive(kind, low, high):
    def parse(text: str):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be between {low} and {high}")
        return value
    return parse


def _secret(env: str | None, file: str | None, what: str, *, stdin: bool = False) -> str | None:
    """A secret from an environment variable, a 0600 file or standard input; None if none was named."""
    from ..connectors.client import read_secret
    from ..connectors.errors import TeSettingsError

    if stdin:
        value = sys.stdin.readline().strip()
        if not value:
            raise TeSettingsError(f"Nothing was given on standard input for {what}.")
        remember(value)
        return value
    if not env and not file:
        return None
    return read_secret(what, env=env, file=file)  # the one reader, shared with the TE API token


def _client(args):
    from ..connectors.client import connect

    return connect(host=args.host, aid=args.aid, token_env=args.te_token_env, token_file=args.te_token_file,
                   timeout=args.timeout)


# -- commands ------------------------------------------------------------------------------------


def _cmd_audit(args, out, transcript) -> int:
    from ..connectors.audit import audit

    with _client(args) as te:
        report = audit(te, probe=not args.no_probe, deliver=args.deliver, workers=args.workers,
                       progress=False if args.no_progress else None, delivery_timeout=args.timeout)
    out.result(report.to_text(), {"summary": report.summary(), "rows": report.to_dicts(), "errors": report.errors,
                                  "stats": {"seconds": round(report.seconds, 3), "requests": report.requests,
                                            "rate_limit_waits": report.rate_limit_waits,
                                            "rate_limit_seconds": round(report.rate_limit_seconds, 3),
                                            "paced_waits": report.paced_waits,
                                            "paced_seconds": round(report.paced_seconds, 3),
                                            "probes": report.probes, "deliveries": report.deliveries}})
    return 0 if not report.errors else 1


def _cmd_push(args, out, transcript) -> int:
    from ..connectors.push import push

    token = _secret(args.token_env, args.token_file, "token to push", stdin=args.token_stdin)
    refresh = _secret(args.refresh_token_env, args.refresh_token_file, "refresh token to push")
    with _client(args) as te:
        plan = push(te, args.connector_id, token=token, refresh_token=refresh, apply=args.apply)
    out.result(plan.to_text(), plan.to_dict())
    return 0


def _cmd_keep(args, out, transcript) -> int:
    from ..connectors.keep import KeepSettings, keep_loop, keep_once
    from ..connectors.token_store import RefreshTokenStore

    secret = _secret(args.client_secret_env, args.client_secret_file, "client secret") or ""
    store = RefreshTokenStore(args.store, path=args.store_path)
    settings = KeepSettings(connector_id=args.connector_id, token_url=args.token_url, client_id=args.client_id,
                            client_secret=secret, client_auth=args.client_auth, scope=args.scope or "",
                            refresh_before=args.refresh_before, push_refresh_token=args.push_refresh_token,
                            timeout=args.timeout)

    def show(result) -> None:
        if out.as_json:
            print(json.dumps({"ok": result.action != "failed", "action": result.action,
                              "connector_id": result.connector_id, "line": result.line,
                              "time_left_s": result.time_left_s, "error": result.error,
                              "exit_code": result.exit_code}, ensure_ascii=False))
        else:
            print(result.line, file=sys.stderr if result.action == "failed" else sys.stdout)
        sys.stdout.flush()

    with _client(args) as te:
        if args.seed_refresh_token:
            seed = _secret(None, None, "refresh token", stdin=True)
            store.put(settings.key(te.aid), seed)
        if args.loop:
            results = keep_loop(te, settings, store, runs=args.runs, every=args.every, on_result=show)
        else:
            results = [keep_once(te, settings, store, force=args.force)]
            show(results[0])
    failed = [r for r in results if r.action == "failed"]
    return failed[-1].exit_code if failed else 0


# -- the parsers ---------------------------------------------------------------------------------


def add_commands(subparsers) -> None:
    """Add ``audit``, ``push`` and ``keep`` to the main parser's sub-parsers (each sets ``handler``)."""
    te = argparse.ArgumentParser(add_help=False)
    te.add_argument("--host", default=TE_DEFAULT_HOST,
                    help=f"the TE API base URL of your region (default {TE_DEFAULT_HOST})")
    te.add_argument("--aid", help="the account group id (default: the token user's default group)")
    which = te.add_mutually_exclusive_group()
    which.add_argument("--te-token-env", metavar="VAR", default=TE_TOKEN_ENV,
                       help=f"read the TE API token from environment variable VAR (default {TE_TOKEN_ENV})")
    which.add_argument("--te-token-file", metavar="PATH", help="read the TE API token from PATH (mode 0600)")
    te.add_argument("--te-token", nargs="?", action=_Refuse, help=argparse.SUPPRESS)
    te.add_argument("--timeout", type=_positive(float, 0.1, 600), default=30.0,
                    help="seconds per request (default 30)")
    te.add_argument("--json", action="store_true", help="print JSON (for scripts)")

    def add(name: str, help_text: str) -> argparse.ArgumentParser:
        return subparsers.add_parser(name, help=help_text, description=help_text, parents=[te], epilog=_EPILOG,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)

    p = add("audit", "list every generic connector: its token, expiry, time left and whether its OAuth client works")
    p.add_argument("--no-probe", action="store_true", help="do not ask the token endpoints about the stored clients")
    p.add_argument("--deliver", action="store_true",
                   help="also send one test alert to each connector's receiver with its own credentials "
                        "(default: nothing is sent to any receiver)")
    p.add_argument("--workers", type=_positive(int, 1, 32), default=8, help="concurrent requests (default 8)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(handler=_cmd_audit)

    p = add("push", "put a new token into a connector (dry run unless --apply)")
    p.add_argument("connector_id", metavar="CONNECTOR_ID")
    source = p.add_mutually_exclusive_group(required=True)
    source.add_argument("--token-env", metavar="VAR", help="the new access token from environment variable VAR")
    source.add_argument("--token-file", metavar="PATH", help="the new access token from PATH (mode 0600)")
    source.add_argument("--token-stdin", action="store_true", help="the new access token from standard input")
    p.add_argument("--token", nargs="?", action=_Refuse, help=argparse.SUPPRESS)
    refresh = p.add_mutually_exclusive_group()
    refresh.add_argument("--refresh-token-env", metavar="VAR", help="also a refresh token (oauth-auth-code), from VAR")
    refresh.add_argument("--refresh-token-file", metavar="PATH", help="also a refresh token, from PATH")
    p.add_argument("--apply", action="store_true", help="write it (default: show what would be written)")
    p.set_defaults(handler=_cmd_push)

    p = add("keep", "refresh the connector's token before it expires and push the new one")
    p.add_argument("connector_id", metavar="CONNECTOR_ID")
    p.add_argument("--token-url", required=True, help="the provider's token endpoint")
    p.add_argument("--client-id", required=True, help="the OAuth client ID")
    secret = p.add_mutually_exclusive_group()
    secret.add_argument("--client-secret-env", metavar="VAR", help="the client secret from environment variable VAR")
    secret.add_argument("--client-secret-file", metavar="PATH", help="the client secret from PATH (mode 0600)")
    p.add_argument("--client-secret", nargs="?", action=_Refuse, help=argparse.SUPPRESS)
    p.add_argument("--client-auth", choices=CLIENT_AUTH_METHODS, default="client_secret_basic")
    p.add_argument("--scope", help="scope to ask for at refresh (default: as granted)")
    p.add_argument("--store", choices=("auto", "keyring", "file"), default="auto",
                   help="where the refresh token lives (default: the OS keyring if usable, else a 0600 file)")
    p.add_argument("--store-path", metavar="PATH", help="the file store (default ~/.local/state/webhook-oauth-lab/...)")
    p.add_argument("--seed-refresh-token", metavar="-", choices=("-",),
                   help="first store a refresh token read from standard input (give '-')")
    p.add_argument("--refresh-before", type=_positive(float, 0, 86400), default=600.0,
                   help="refresh when fewer seconds than this are left (default 600)")
    p.add_argument("--force", action="store_true", help="refresh now, whatever the expiry")
    p.add_argument("--push-refresh-token", action="store_true",
                   help="oauth-auth-code connectors: also push the new refresh token")
    p.add_argument("--loop", action="store_true", help="run --runs times, --every seconds apart at most")
    p.add_argument("--runs", type=_positive(int, 1, 100000), default=1, help="with --loop: how many runs")
    p.add_argument("--every", type=_positive(float, 1, 86400), default=300.0, help="with --loop: seconds between runs")
    p.set_defaults(handler=_cmd_keep)
