"""The argparse parser: the commands, their options, and the guards around secrets.

No secret is accepted on the command line (``ps`` shows every argument to every user) and no
usage message repeats a value that may be one.
"""

from __future__ import annotations

import argparse
import sys

from ..core.config import CLIENT_AUTH_METHODS, THOUSANDEYES_REDIRECT_URI
from ..core.redact import scrub
from .device import add_parser as add_device_parser
from .commands import _cmd_authorize, _cmd_demo, _cmd_discover, _cmd_exchange, _cmd_inspect, _cmd_probe, _cmd_token
from .exits import EXIT_USAGE
from .output import terminal_safe

__all__ = ["build_parser"]

_EPILOG = """\
exit codes: 0 ok, 2 usage/config error, 3 provider refused (or no usable metadata),
4 state/issuer mismatch, 5 transport error (no HTTP answer), 1 anything else, 130 Ctrl-C.
Never put a secret on the command line: `ps` shows it to everyone on the machine. Use
--client-secret-env VAR or --client-secret-file PATH; give tokens and pasted addresses as `-`
to read them from standard input."""


class _Parser(argparse.ArgumentParser):
    """argparse that never echoes a secret: its messages pass through :func:`scrub`."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("allow_abbrev", False)  # --client-secret must not match --client-secret-env
        super().__init__(*args, **kwargs)

    def error(self, message: str):
        prefix = "unrecognized arguments: "
        if message.startswith(prefix):
            # Repeat option names only: a stray value may be a secret typed in the wrong place.
            words = message[len(prefix):].split()
            names = [w.split("=", 1)[0] for w in words if w.startswith("-")]
            hidden = len(words) - len(names)
            message = prefix + (" ".join(names) or "(values)") + (
                f" and {hidden} value(s) not repeated here" if hidden and names else "")
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {terminal_safe(scrub(message))}\n")


class _RefuseSecretOnCommandLine(argparse.Action):
    def __call__(self, parser, namespace, values, option_string=None):
        # The value is deliberately not repeated anywhere.
        parser.error(f"{option_string} is not accepted: a secret on the command line is visible to every "
                     "user through `ps` and lands in shell history. Use --client-secret-env VAR or "
                     "--client-secret-file PATH.")


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not 0 < value <= 3600:
        raise argparse.ArgumentTypeError("must be more than 0 and at most 3600 seconds")
    return value


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError("must be 0-65535 (0: any free port)")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The parser of every command; a command's ``handler`` default is its ``_cmd_*`` function."""
    from .. import __version__

    output = _Parser(add_help=False)
    output.add_argument("--json", action="store_true", help="print one JSON document (for scripts)")
    output.add_argument("--reveal", action="store_true", help="print tokens and secrets in full (default: masked)")

    secret = _Parser(add_help=False)
    which = secret.add_mutually_exclusive_group()
    which.add_argument("--client-secret-env", metavar="VAR",
                       help="read the client secret from environment variable VAR. The secret itself is "
                       "never on the command line: `ps` shows every argument to every user")
    which.add_argument("--client-secret-file", metavar="PATH",
                       help="read the client secret from PATH (keep it mode 0600)")
    secret.add_argument("--client-secret", nargs="?", action=_RefuseSecretOnCommandLine, help=argparse.SUPPRESS)
    secret.add_argument("--client-auth", choices=CLIENT_AUTH_METHODS,
                        help="how to send the client credentials (RFC 6749 §2.3.1; default client_secret_basic, "
                        "or the only method the provider advertises)")
    # private_key_jwt (RFC 7523) and mTLS (RFC 8705): files only, read when a request needs them
    secret.add_argument("--client-key-file", metavar="PATH",
                        help="private_key_jwt: the PEM private key that signs the client assertion (mode 0600)")
    secret.add_argument("--client-key-id", metavar="KID", help="private_key_jwt: the key's kid at the provider")
    secret.add_argument("--client-assertion-alg", metavar="ALG",
                        help="the client assertion's algorithm (default: from the key; HS256 for client_secret_jwt)")
    secret.add_argument("--tls-client-cert", metavar="PATH", help="mTLS: the client certificate (PEM)")
    secret.add_argument("--tls-client-key", metavar="PATH", help="mTLS: the client certificate's key (PEM, mode 0600)")
    secret.add_argument("--tls-ca-file", metavar="PATH",
                        help="mTLS: the CA that signed the provider's certificate (verification stays on)")
    secret.add_argument("--timeout", type=_seconds, default=10.0, help="seconds per request (default 10)")

    provider = _Parser(add_help=False)
    provider.add_argument("--issuer", help="the provider's issuer: its metadata fills in missing URLs")
    provider.add_argument("--auth-url", help="authorization endpoint (OAuth Code)")
    provider.add_argument("--token-url", help="token endpoint")
    provider.add_argument("--client-id", help="the client ID")
    provider.add_argument("--scope", help="space-separated scopes to request")
    provider.add_argument("--audience", help="extra 'audience' parameter some providers need")
    provider.add_argument("--resource", help="extra 'resource' parameter (RFC 8707)")
    provider.add_argument("--redirect-uri", help=f"redirect URI (default: {THOUSANDEYES_REDIRECT_URI})")
    provider.add_argument("--no-pkce", action="store_true", help="do not send PKCE (only to mimic a platform)")

    common = _Parser(add_help=False)
    common.add_argument("--transcript", metavar="CSV", help="also write the (masked) transcript of every request as CSV (mode 0600; a symbolic link "
                        "is refused)")

    parser = _Parser(prog="python -m widgets",
                     description="Diagnose and complete a webhook's OAuth setup: discover, probe, get and "
                     "inspect tokens.",
                     epilog=_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"webhook-oauth-lab {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    def add(name: str, help_text: str, parents: list) -> argparse.ArgumentParser:
        return sub.add_parser(name, help=help_text, description=help_text, parents=parents, epilog=_EPILOG,
                              formatter_class=argparse.RawDescriptionHelpFormatter)

    p = add("discover", "read the provider's metadata (RFC 8414, then OpenID Connect)", [output, common])
    p.add_argument("issuer", metavar="ISSUER", help="issuer URL, or the metadata URL itself")
    p.add_argument("--timeout", type=_seconds, default=10.0, help="seconds per request (default 10)")
    p.set_defaults(handler=_cmd_discover)

    p = add("probe", "run safe checks against the provider and print a verdict per question",
            [provider, secret, output, common])
    p.set_defaults(handler=_cmd_probe)

    p = add("token", "get a token with the client credentials grant", [provider, secret, output, common])
    p.add_argument("--paste-ready", action="store_true", help="also print the webhook form's fields and connector JSON")
    p.set_defaults(handler=_cmd_token)

    p = add("authorize", "print an authorize link and save its state and PKCE verifier (0600)",
            [provider, secret, output, common])
    p.add_argument("--state-file", metavar="PATH",
                   help="where to save the pending state (default: ~/.cache/webhook-oauth-lab/pending-<state>.json)")
    p.add_argument("--loopback", action="store_true",
                   help="catch the redirect on http://127.0.0.1:PORT/callback and finish at once (RFC 8252)")
    p.add_argument("--port", type=_port, default=0, help="port for --loopback (default: any free port)")
    p.add_argument("--wait", type=_seconds, default=120.0, help="seconds --loopback waits for the login (default 120)")
    p.add_argument("--paste-ready", action="store_true", help="with --loopback: also print the form's fields")
    p.set_defaults(handler=_cmd_authorize)

    p = add("exchange", "check the pasted redirect against the saved state and exchange the code",
            [secret, output, common])
    p.add_argument("pasted", metavar="PASTED", help="the address the browser landed on, or - to read it from stdin "
                   "(preferred: an argument is visible in `ps`)")
    p.add_argument("--state-file", metavar="PATH", help="the file `authorize` wrote (default: found by the state)")
    p.add_argument("--allow-bare-code", action="store_true",
                   help="accept a code pasted alone, without the address: its state cannot be checked")
    p.add_argument("--paste-ready", action="store_true", help="also print the webhook form's fields and connector JSON")
    p.set_defaults(handler=_cmd_exchange)

    p = add("inspect", "decode a token, verify its signature (JWKS), ask introspection (RFC 7662)",
            [secret, output, common])
    p.add_argument("token", metavar="TOKEN", help="the access token, or - to read it from stdin "
                   "(preferred: an argument is visible in `ps`)")
    p.add_argument("--jwks-url", help="verify the signature against this JWK Set")
    p.add_argument("--introspection-url", help="ask this RFC 7662 endpoint (needs client ID and secret)")
    p.add_argument("--issuer", help="discover the JWKS and introspection URLs from this issuer")
    p.add_argument("--client-id", help="client ID for introspection")
    p.set_defaults(handler=_cmd_inspect)

    p = add("demo", "run the demo authorization server until Ctrl-C", [output])
    p.add_argument("--port", type=_port, default=0, help="port to listen on (default: any free port)")
    p.add_argument("--require-state", action="store_true", help="refuse authorize requests without state")
    p.add_argument("--require-pkce", action="store_true", help="refuse authorize requests without PKCE")
    p.add_argument("--client-auth-methods", nargs="+", choices=CLIENT_AUTH_METHODS,
                   default=["client_secret_basic", "client_secret_post"], metavar="METHOD",
                   help="client authentication the token endpoint accepts (default: client_secret_basic and "
                   "client_secret_post; also client_secret_jwt, private_key_jwt, tls_client_auth, "
                   "self_signed_tls_client_auth)")
    p.add_argument("--mtls", action="store_true",
                   help="also serve an mTLS token endpoint (RFC 8705) with a CA the demo makes")
    p.set_defaults(handler=_cmd_demo)

    from .connectors import add_commands  # audit, push, keep

    add_commands(sub)
    add_device_parser(add, [provider, secret, output, common], seconds=_seconds)

    from .scorecard import add_scorecard_command

    add_scorecard_command(add, [provider, secret, output, common], _port, _seconds)
    return parser
