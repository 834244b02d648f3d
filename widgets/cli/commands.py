"""The command line: ``python -m widgets <command> ...`` (installed as ``webhook-oauth-lab``).

Commands::

    discover ISSUER      read the provider's metadata (RFC 8414, then OpenID Connect)
    probe                run the safe checks of widgets.probe and print a verdict per question
    token                get a token with the client credentials grant (RFC 6749 §4.4)
    authorize            print an authorize link; keep its state and PKCE verifier in a 0600 file
                         (--loopback: catch the redirect on 127.0.0.1 and finish at once)
    exchange PASTED|-    check the address the browser landed on against that file, then
                         exchange the code; the file is deleted once used
    inspect TOKEN|-      decode a token, verify it against a JWKS, ask introspection (RFC 7662)
    demo                 run the demo provider in the foreground until Ctrl-C

Secrets never go on the command line, where ``ps`` shows them to every user of the machine:
the client secret comes from ``--client-secret-env VAR`` or ``--client-secret-file PATH``; a
token or pasted address can be given as ``-`` and read from standard input. Output is for
people by default, ``--json`` for scripts; tokens are masked unless ``--reveal``.

Exit codes::

    0  success
    1  anything else (an unexpected error, a loopback wait that timed out)
    2  usage or configuration error: bad options, missing settings, an unusable paste or token
    3  the provider refused or answered nonsense: TokenEndpointError, AuthorizationDenied,
       DiscoveryError (no or malformed metadata), a failed introspection
    4  state or issuer mismatch: StateMismatchError, IssuerMismatchError (incl. discovery)
    5  transport error: no HTTP answer (timeout, refused, DNS, TLS, redirect)
    130 interrupted (Ctrl-C), except for ``demo``, where Ctrl-C is the normal way out (0)
"""

from __future__ import annotations

import argparse
import json
import os
import re
import stat
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

from ..core.config import CLIENT_AUTH_METHODS, THOUSANDEYES_REDIRECT_URI, AuthType, WebhookAuthConfig
from ..core.errors import (
    AuthorizationDenied,
    ConfigError,
    IssuerMismatchError,
    PastedRedirectError,
    StateMismatchError,
    TokenEndpointError,
    TransportError,
    WebhookAuthError,
)
from ..core.redact import mask, remember, scrub
from ..core.transcript import Transcript

__all__ = ["main", "exit_code_for", "EXIT_OK", "EXIT_OTHER", "EXIT_USAGE", "EXIT_REFUSED", "EXIT_MISMATCH",
           "EXIT_TRANSPORT", "EXIT_INTERRUPTED", "default_state_dir"]

EXIT_OK = 0
EXIT_OTHER = 1
EXIT_USAGE = 2
EXIT_REFUSED = 3
EXIT_MISMATCH = 4
EXIT_TRANSPORT = 5
EXIT_INTERRUPTED = 130

STATE_FORMAT = "webhook-oauth-lab/pending-authorization"
_STATE_PREFIX = 12
_SAFE_STATE = re.compile(r"^[A-Za-z0-9_-]+$")

_EPILOG = """\
exit codes: 0 ok, 2 usage/config error, 3 provider refused (or no usable metadata),
4 state/issuer mismatch, 5 transport error (no HTTP answer), 1 anything else, 130 Ctrl-C.
Never put a secret on the command line: `ps` shows it to everyone on the machine. Use
--client-secret-env VAR or --client-secret-file PATH; give tokens and pasted addresses as `-`
to read them from standard input."""


# -- errors and exit codes ----------------------------------------------------------------------


def exit_code_for(exc: BaseException) -> int:
    """The documented exit code for an exception (see the module docstring)."""
    from ..diagnose.discovery import DiscoveryError
    from ..diagnose.inspect_token import InspectionError, IntrospectionError

    if isinstance(exc, (StateMismatchError, IssuerMismatchError)):
        return EXIT_MISMATCH
    if isinstance(exc, (ConfigError, PastedRedirectError, InspectionError)):
        return EXIT_USAGE
    if isinstance(exc, (TokenEndpointError, AuthorizationDenied, DiscoveryError, IntrospectionError)):
        return EXIT_REFUSED
    if isinstance(exc, TransportError):
        return EXIT_TRANSPORT
    if isinstance(exc, KeyboardInterrupt):
        return EXIT_INTERRUPTED
    return EXIT_OTHER


class _UsageError(Exception):
    """A usage problem found after parsing (reported like argparse's own, exit 2)."""


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
        self.exit(EXIT_USAGE, f"{self.prog}: error: {scrub(message)}\n")


class _RefuseSecretOnCommandLine(argparse.Action):
    def __call__(self, parser, namespace, values, option_string=None):
        # The value is deliberately not repeated anywhere.
        parser.error(f"{option_string} is not accepted: a secret on the command line is visible to every "
                     "user through `ps` and lands in shell history. Use --client-secret-env VAR or "
                     "--client-secret-file PATH.")


# -- output -----------------------------------------------------------------------------------------


class _Out:
    def __init__(self, as_json: bool):
        self.as_json = as_json

    def result(self, human: str, data: dict) -> None:
        if self.as_json:
            print(json.dumps({"ok": True, **data}, indent=2, ensure_ascii=False, default=str))
        else:
            print(human)
        sys.stdout.flush()

    def info(self, text: str) -> None:
        """Progress for people: stdout normally, stderr in --json mode (stdout is the document)."""
        print(text, file=sys.stderr if self.as_json else sys.stdout)
        (sys.stderr if self.as_json else sys.stdout).flush()

    def warn(self, text: str) -> None:
        print(f"warning: {text}", file=sys.stderr)

    def error(self, exc: BaseException, code: int) -> None:
        if isinstance(exc, WebhookAuthError):
            kind, message, hint = type(exc).__name__, exc.message, exc.hint
        else:
            kind, message, hint = type(exc).__name__, str(exc), "This is a bug or an unexpected situation; " \
                "please report it with the command you ran (secrets are never needed to reproduce it)."
        message, hint = scrub(message), scrub(hint)
        if self.as_json:
            print(json.dumps({"ok": False, "exit_code": code,
                              "error": {"type": kind, "message": message, "hint": hint}}, indent=2))
            sys.stdout.flush()
        else:
            print(f"error: {message}\nhint: {hint}", file=sys.stderr)


def _when(epoch: float | None) -> str:
    if epoch is None:
        return "unknown"
    from ..diagnose.inspect_token import format_duration

    moment = datetime.fromtimestamp(int(epoch), timezone.utc).isoformat().replace("+00:00", "Z")
    left = epoch - time.time()
    return f"{moment} ({'in ' + format_duration(left) if left > 0 else 'expired ' + format_duration(left)})"


def _token_text(token, *, reveal: bool, heading: str) -> str:
    lines = [heading,
             f"  access token   {token.access_token if reveal else token.masked}"
             + ("" if reveal else "   (--reveal to show it)"),
             f"  type           {token.token_type}",
             f"  expires        {_when(token.expires_at)}",
             f"  scope          {token.scope or '(none named)'}",
             f"  refresh token  {(token.refresh_token if reveal else mask(token.refresh_token)) or '-'}"]
    lines += [f"note: {n}" for n in token.notes]
    return "\n".join(lines)


# -- settings ---------------------------------------------------------------------------------------


def _read_secret(args, out: _Out) -> str:
    env = getattr(args, "client_secret_env", None)
    path = getattr(args, "client_secret_file", None)
    if env:
        value = os.environ.get(env)
        if value is None:
            raise ConfigError({"client_secret": [f"environment variable {env} is not set"]})
        remember(value.strip())
        return value.strip()
    if path:
        file = Path(path).expanduser()
        try:
            mode = file.stat().st_mode
            value = file.read_text(encoding="utf-8")
        except OSError as exc:
            raise ConfigError({"client_secret": [f"cannot read {path}: {exc.strerror or exc}"]}) from None
        except UnicodeDecodeError:
            raise ConfigError({"client_secret": [f"{path} is not UTF-8 text"]}) from None
        if mode & (stat.S_IRGRP | stat.S_IROTH):
            out.warn(f"{path} is readable by other users; `chmod 600 {path}`.")
        value = value.strip()
        if not value:
            raise ConfigError({"client_secret": [f"{path} is empty"]})
        remember(value)
        return value
    return ""


def _config(args, out: _Out, auth_type: AuthType, transcript: Transcript, *, discover_always: bool = False):
    """(config, metadata or None) from the options; discovery when --issuer leaves gaps."""
    extra = {}
    if getattr(args, "audience", None):
        extra["audience"] = args.audience
    if getattr(args, "resource", None):
        extra["resource"] = args.resource
    config = WebhookAuthConfig(
        auth_type=auth_type,
        auth_url=getattr(args, "auth_url", None) or "",
        token_url=getattr(args, "token_url", None) or "",
        client_id=getattr(args, "client_id", None) or "",
        client_secret=_read_secret(args, out),
        scope=getattr(args, "scope", None) or "",
        extra_params=extra,
        client_auth=getattr(args, "client_auth", None) or "client_secret_basic",
        pkce=not getattr(args, "no_pkce", False),
        redirect_uri=getattr(args, "redirect_uri", None) or THOUSANDEYES_REDIRECT_URI,
        issuer=getattr(args, "issuer", None) or "",
        timeout=args.timeout,
    )
    metadata = None
    if config.issuer and (discover_always or not config.token_url
                          or (auth_type is AuthType.OAUTH_CODE and not config.auth_url)):
        from ..diagnose.discovery import discover

        metadata = discover(config.issuer, transcript=transcript, timeout=config.timeout)
        changes = {"issuer": metadata.issuer}
        if not config.auth_url and metadata.authorization_endpoint:
            changes["auth_url"] = metadata.authorization_endpoint
        if not config.token_url and metadata.token_endpoint:
            changes["token_url"] = metadata.token_endpoint
        if not getattr(args, "client_auth", None) and len(metadata.usable_client_auth) == 1:
            changes["client_auth"] = metadata.usable_client_auth[0]
        config = config.replace(**changes)
    return config, metadata


def _read_argument(value: str, what: str) -> str:
    if value == "-":
        text = sys.stdin.read()
        if not text.strip():
            raise _UsageError(f"nothing was given on standard input for {what}")
        return text
    return value


# -- state files ------------------------------------------------------------------------------------


def default_state_dir() -> Path:
    """``$XDG_CACHE_HOME/webhook-oauth-lab`` (default ``~/.cache/webhook-oauth-lab``)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "webhook-oauth-lab"


def _write_private(path: Path, data: dict) -> None:
    """Create ``path`` with mode 0600, refusing to overwrite or to follow a symlink."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, flags, 0o600)
    except FileExistsError:
        raise ConfigError({"state_file": [f"{path} already exists; choose another path or delete it"]}) from None
    except OSError as exc:
        raise ConfigError({"state_file": [f"cannot create {path}: {exc.strerror or exc}"]}) from None
    try:
        if hasattr(os, "fchmod"):
            os.fchmod(fd, 0o600)  # whatever the umask said
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh)
    except BaseException:
        path.unlink(missing_ok=True)
        raise


def _find_state_file(args, pasted: str) -> Path:
    if args.state_file:
        return Path(args.state_file).expanduser()
    from ..core.authorize import parse_pasted_redirect

    state = parse_pasted_redirect(pasted).state
    folder = default_state_dir()
    if state:
        if not _SAFE_STATE.match(state):
            # Never let text from a pasted URL pick a path.
            raise StateMismatchError("The state in the pasted address is not one this tool makes.")
        path = folder / f"pending-{state[:_STATE_PREFIX]}.json"
        if not path.exists():
            raise StateMismatchError(
                "No pending authorization here matches the state in the pasted address.",
                hint="Paste the address from the login you started with `authorize` on this machine (each "
                "link can be completed once, within 15 minutes), or pass its --state-file.",
            )
        return path
    pending = sorted(folder.glob("pending-*.json")) if folder.is_dir() else []
    if len(pending) != 1:
        raise ConfigError({"state_file": [
            "the paste carries no state, and there is not exactly one pending authorization; pass --state-file"]})
    return pending[0]


def _load_state(path: Path, out: _Out) -> dict:
    try:
        info = path.lstat()
    except OSError:
        raise ConfigError({"state_file": [f"{path} does not exist (already used, or never created)"]}) from None
    if not stat.S_ISREG(info.st_mode):
        raise ConfigError({"state_file": [f"{path} is not a regular file"]})
    # The file says where the client secret is sent next: only trust one nobody else could write.
    if hasattr(os, "getuid") and info.st_uid != os.getuid():
        raise ConfigError({"state_file": [f"{path} belongs to another user; refusing to use it"]})
    if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        raise ConfigError({"state_file": [f"{path} is writable by other users; refusing to use it"]})
    if info.st_mode & 0o077:
        out.warn(f"{path} is accessible to other users (mode {stat.S_IMODE(info.st_mode):o}); it should be 0600.")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, UnicodeDecodeError):
        raise ConfigError({"state_file": [f"{path} is not a state file written by `authorize`"]}) from None
    needed = ("state", "redirect_uri", "url", "created_at", "config")
    if not isinstance(data, dict) or data.get("format") != STATE_FORMAT or any(k not in data for k in needed) \
            or not isinstance(data["config"], dict):
        raise ConfigError({"state_file": [f"{path} is not a state file written by `authorize`"]})
    remember(data.get("code_verifier"))
    return data


# -- commands -----------------------------------------------------------------------------------------


def _cmd_discover(args, out: _Out, transcript: Transcript) -> int:
    from ..diagnose.discovery import discover

    metadata = discover(args.issuer, transcript=transcript, timeout=args.timeout)
    rows = [("issuer", metadata.issuer), ("source", metadata.source_url),
            ("authorization_endpoint", metadata.authorization_endpoint or "-"),
            ("token_endpoint", metadata.token_endpoint or "-"),
            ("jwks_uri", metadata.jwks_uri or "-"),
            ("introspection_endpoint", metadata.introspection_endpoint or "-"),
            ("revocation_endpoint", metadata.revocation_endpoint or "-"),
            ("grant types", ", ".join(metadata.grant_types_supported) or "-"),
            ("client auth methods", ", ".join(metadata.token_endpoint_auth_methods_supported) or "-"),
            ("PKCE methods", ", ".join(metadata.code_challenge_methods_supported) or "none (no PKCE)"),
            ("scopes", " ".join(metadata.scopes_supported) or "-"),
            ("iss in responses", "yes (RFC 9207)" if metadata.authorization_response_iss_parameter_supported else "no")]
    width = max(len(k) for k, _ in rows)
    human = "\n".join(f"{k:<{width}}  {v}" for k, v in rows)
    human += "".join(f"\nnote: {n}" for n in metadata.notes)
    out.result(human, {"metadata": metadata.to_dict()})
    return EXIT_OK


def _cmd_probe(args, out: _Out, transcript: Transcript) -> int:
    from ..diagnose.probe import probe

    kind = AuthType.OAUTH_CODE if (args.auth_url or args.issuer) else AuthType.OAUTH_CLIENT_CREDENTIALS
    config, metadata = _config(args, out, kind, transcript, discover_always=bool(args.issuer))
    if not config.token_url and not config.auth_url:
        raise ConfigError({"token_url": ["give --token-url and/or --auth-url, or --issuer to discover them"]})
    report = probe(config, metadata=metadata, transcript=transcript)
    out.result(report.to_text(), {"rows": report.to_dicts()})
    return EXIT_OK


def _cmd_token(args, out: _Out, transcript: Transcript) -> int:
    from ..core.client_credentials import ClientCredentialsFlow

    config, _ = _config(args, out, AuthType.OAUTH_CLIENT_CREDENTIALS, transcript)
    token = ClientCredentialsFlow(config, transcript).fetch_token()
    heading = f"Token from {config.token_url} (client credentials, {config.client_auth})"
    _finish_with_token(args, out, config, token, heading)
    return EXIT_OK


def _finish_with_token(args, out: _Out, config: WebhookAuthConfig, token, heading: str) -> None:
    human = _token_text(token, reveal=args.reveal, heading=heading)
    data: dict = {"token": token.to_dict(reveal=args.reveal)}
    if args.paste_ready:
        from ..diagnose.paste_ready import paste_ready

        ready = paste_ready(config, token, reveal=args.reveal)
        human += "\n\nFor the webhook form:\n" + ready.to_text() + "\n\nAs connector JSON:\n" + ready.connector_json()
        data["paste_ready"] = {"fields": dict(ready.fields), "connector": ready.connector, "notes": list(ready.notes)}
    out.result(human, data)


def _cmd_authorize(args, out: _Out, transcript: Transcript) -> int:
    from ..core.authorization_code import STATE_LIFETIME, AuthorizationCodeFlow

    if args.loopback:
        return _authorize_loopback(args, out, transcript)
    config, _ = _config(args, out, AuthType.OAUTH_CODE, transcript)
    flow = AuthorizationCodeFlow(config, transcript)
    request = flow.begin()
    path = Path(args.state_file).expanduser() if args.state_file else \
        default_state_dir() / f"pending-{request.state[:_STATE_PREFIX]}.json"
    _write_private(path, {
        "format": STATE_FORMAT,
        "version": 1,
        "created_at": request.created_at,
        "url": request.url,
        "state": request.state,
        "redirect_uri": request.redirect_uri,
        "code_verifier": request.code_verifier,
        "code_challenge": request.code_challenge,
        "code_challenge_method": request.code_challenge_method,
        "params": request.params,
        # Everything the exchange needs except the client secret, which is never written.
        "config": {"auth_url": config.auth_url, "token_url": config.token_url, "client_id": config.client_id,
                   "redirect_uri": config.redirect_uri, "scope": config.scope,
                   "extra_params": config.extra_params, "client_auth": config.client_auth,
                   "pkce": config.pkce, "issuer": config.issuer, "timeout": config.timeout},
    })
    expires = request.created_at + STATE_LIFETIME
    human = (
        "Open this link in a browser, log in, and copy the address of the page you land on:\n\n"
        f"  {request.url}\n\n"
        "Then run this, paste the address, press Enter and Ctrl-D (standard input keeps it out of `ps`):\n\n"
        f"  python -m widgets exchange --state-file {path} -\n\n"
        f"The link can be completed once, until {_when(expires)}. Its state and PKCE verifier are in\n"
        f"{path} (mode 0600, no client secret); the file is deleted when it is used."
    )
    out.result(human, {"authorize_url": request.url, "state_file": str(path), "state": request.state,
                       "redirect_uri": request.redirect_uri, "expires_at": expires})
    return EXIT_OK


def _authorize_loopback(args, out: _Out, transcript: Transcript) -> int:
    from ..core.authorization_code import AuthorizationCodeFlow
    from ..diagnose.catcher import LoopbackCatcher

    if args.redirect_uri:
        raise _UsageError("--loopback picks its own redirect URI (http://127.0.0.1:PORT/callback); "
                          "drop --redirect-uri")
    with LoopbackCatcher(port=args.port, timeout=args.wait) as catcher:
        args.redirect_uri = catcher.redirect_uri
        config, _ = _config(args, out, AuthType.OAUTH_CODE, transcript)
        flow = AuthorizationCodeFlow(config, transcript)
        request = flow.begin()
        out.info(f"Open this link in a browser on this machine and log in:\n\n  {request.url}\n\n"
                 f"Waiting up to {args.wait:g} s for the redirect to {catcher.redirect_uri} ...")
        landed = catcher.wait()
    token = flow.complete(landed)
    _finish_with_token(args, out, config, token, f"Token from {config.token_url} (authorization code, loopback)")
    return EXIT_OK


def _cmd_exchange(args, out: _Out, transcript: Transcript) -> int:
    from ..core.authorization_code import AuthorizationCodeFlow
    from ..core.authorize import AuthorizationRequest

    pasted = _read_argument(args.pasted, "the pasted address")
    path = _find_state_file(args, pasted)
    saved = _load_state(path, out)
    stored = saved["config"]
    try:
        timeout = float(args.timeout if args.timeout_given else stored.get("timeout", args.timeout))
        config = WebhookAuthConfig(
            auth_type=AuthType.OAUTH_CODE,
            auth_url=stored.get("auth_url", ""),
            token_url=stored.get("token_url", ""),
            client_id=stored.get("client_id", ""),
            client_secret=_read_secret(args, out),
            redirect_uri=saved["redirect_uri"],
            scope=stored.get("scope", ""),
            extra_params=dict(stored.get("extra_params") or {}),
            client_auth=args.client_auth or stored.get("client_auth", "client_secret_basic"),
            pkce=bool(stored.get("pkce", True)),
            issuer=stored.get("issuer", ""),
            timeout=timeout,
        )
        request = AuthorizationRequest(
            url=str(saved["url"]), state=str(saved["state"]), redirect_uri=str(saved["redirect_uri"]),
            code_verifier=saved.get("code_verifier"), code_challenge=saved.get("code_challenge"),
            code_challenge_method=saved.get("code_challenge_method"), params=dict(saved.get("params") or {}),
            created_at=float(saved["created_at"]),
        )
    except (TypeError, ValueError, AttributeError):
        raise ConfigError({"state_file": [f"{path} is damaged; start again with `authorize`"]}) from None
    flow = AuthorizationCodeFlow(config, transcript)
    flow.resume(request)
    try:
        token = flow.complete(pasted)
    except (PastedRedirectError, TransportError):
        raise  # nothing was spent (or it may be retried): keep the file for another try
    except BaseException:
        path.unlink(missing_ok=True)  # state used, refused or mismatched: it must not be tried again
        raise
    path.unlink(missing_ok=True)
    _finish_with_token(args, out, config, token, f"Token from {config.token_url} (authorization code)")
    return EXIT_OK


def _cmd_inspect(args, out: _Out, transcript: Transcript) -> int:
    from ..diagnose.inspect_token import inspect_token

    text = _read_argument(args.token, "the token")
    jwks_url, introspection_url = args.jwks_url, args.introspection_url
    config, metadata = _config(args, out, AuthType.OAUTH_CLIENT_CREDENTIALS, transcript,
                               discover_always=bool(args.issuer))
    if metadata is not None:
        jwks_url = jwks_url or metadata.jwks_uri or None
        if not introspection_url and metadata.introspection_endpoint and config.client_secret:
            introspection_url = metadata.introspection_endpoint
    result = inspect_token(text, jwks_url=jwks_url, introspection_url=introspection_url, config=config,
                           transcript=transcript)
    data = result.to_dict()
    human = result.to_text()
    if args.reveal:
        raw = text.strip()
        data["token"] = raw
        human = human.replace(result.masked, raw, 1)
    out.result(human, {"inspection": data})
    return EXIT_OK


def _cmd_demo(args, out: _Out, transcript: Transcript) -> int:
    import signal
    import tempfile
    import threading

    from ..demo import DemoProvider

    methods = tuple(args.client_auth_methods)
    provider = DemoProvider(require_state=args.require_state, require_pkce=args.require_pkce,
                            client_auth_methods=methods, port=args.port)
    try:
        provider.start()
    except OSError as exc:
        raise ConfigError({"port": [f"cannot listen on 127.0.0.1:{args.port}: {exc.strerror or exc}"]},
                          hint="Choose another --port, or leave it out to use any free port.") from None
    fd, secret_path = tempfile.mkstemp(prefix="demo-client-secret-", suffix=".txt")  # mode 0600
    stop = threading.Event()
    previous = None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(provider.client_secret + "\n")
        info = {
            "issuer": provider.issuer,
            "metadata_url": provider.metadata_url,
            "auth_url": provider.auth_url,
            "token_url": provider.token_url,
            "jwks_url": provider.jwks_url,
            "introspection_url": provider.introspection_url,
            "webhook_url": provider.webhook_url,
            "client_id": provider.client_id,
            "client_secret_file": secret_path,
            "client_secret": provider.client_secret if args.reveal else mask(provider.client_secret),
            "client_auth_methods": list(methods),
            "require_state": args.require_state,
            "require_pkce": args.require_pkce,
            "login_username": provider.username,
            "login_password": provider.password,  # shown on the demo's own login page too
            "webhook_username": provider.webhook_username,
            "webhook_password": provider.webhook_password if args.reveal else mask(provider.webhook_password),
        }
        if out.as_json:
            print(json.dumps({"ok": True, "demo": info}, ensure_ascii=False))
        else:
            width = max(len(k) for k in info)
            print("Demo authorization server running:")
            for key, value in info.items():
                print(f"  {key:<{width}}  {value}")
            print(f"\nTry:\n  python -m widgets probe --issuer {provider.issuer} --client-id {provider.client_id} "
                  f"--client-secret-file {secret_path}")
            print("\nServing until Ctrl-C.")
        sys.stdout.flush()

        def _terminate(signum, frame):
            stop.set()

        if threading.current_thread() is threading.main_thread():
            # SIGINT too: a shell starts background jobs with SIGINT ignored, and Ctrl-C must work.
            previous = {sig: signal.signal(sig, _terminate) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            while not stop.wait(0.5):
                pass
        except KeyboardInterrupt:
            pass
    finally:
        for sig, handler in (previous or {}).items():
            signal.signal(sig, handler)
        provider.stop()
        Path(secret_path).unlink(missing_ok=True)
    print("Demo provider stopped.", file=sys.stderr)
    return EXIT_OK


# -- the parser -------------------------------------------------------------------------------------


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


def _build_parser() -> argparse.ArgumentParser:
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
    common.add_argument("--transcript", metavar="CSV", help="also write the (masked) transcript of every request")

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
    p.add_argument("pasted", metavar="PASTED", help="the address the browser landed on, or - to read it from stdin")
    p.add_argument("--state-file", metavar="PATH", help="the file `authorize` wrote (default: found by the state)")
    p.add_argument("--paste-ready", action="store_true", help="also print the webhook form's fields and connector JSON")
    p.set_defaults(handler=_cmd_exchange)

    p = add("inspect", "decode a token, verify its signature (JWKS), ask introspection (RFC 7662)",
            [secret, output, common])
    p.add_argument("token", metavar="TOKEN", help="the access token, or - to read it from stdin (preferred)")
    p.add_argument("--jwks-url", help="verify the signature against this JWK Set")
    p.add_argument("--introspection-url", help="ask this RFC 7662 endpoint (needs client ID and secret)")
    p.add_argument("--issuer", help="discover the JWKS and introspection URLs from this issuer")
    p.add_argument("--client-id", help="client ID for introspection")
    p.set_defaults(handler=_cmd_inspect)

    p = add("demo", "run the demo authorization server until Ctrl-C", [output])
    p.add_argument("--port", type=_port, default=0, help="port to listen on (default: any free port)")
    p.add_argument("--require-state", action="store_true", help="refuse authorize requests without state")
    p.add_argument("--require-pkce", action="store_true", help="refuse authorize requests without PKCE")
    p.add_argument("--client-auth-methods", nargs="+", choices=CLIENT_AUTH_METHODS, default=list(CLIENT_AUTH_METHODS),
                   metavar="METHOD", help="client authentication the token endpoint accepts (default: both)")
    p.set_defaults(handler=_cmd_demo)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit code (see the module docstring)."""
    parser = _build_parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version, usage errors
        return int(exc.code) if isinstance(exc.code, int) else EXIT_USAGE
    if not getattr(args, "command", None):
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    args.timeout_given = any(a == "--timeout" or a.startswith("--timeout=") for a in argv)
    out = _Out(getattr(args, "json", False))
    transcript = Transcript()
    try:
        return args.handler(args, out, transcript)
    except _UsageError as exc:
        print(f"{parser.prog} {args.command}: error: {scrub(exc)}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as exc:  # noqa: BLE001 - every failure ends as a message and an exit code
        code = exit_code_for(exc)
        out.error(exc, code)
        return code
    finally:
        path = getattr(args, "transcript", None)
        if path:
            try:
                transcript.to_csv(path)
            except OSError as exc:
                print(f"warning: could not write the transcript to {path}: {exc.strerror or exc}", file=sys.stderr)
