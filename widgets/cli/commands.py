"""The commands: one ``_cmd_<name>(args, out, transcript) -> exit code`` each, and what they share.

Each reads its settings from the parsed options (the client secret from an environment variable
or a file, never from the command line), runs the flow of :mod:`widgets.core` or the check of
:mod:`widgets.diagnose`, and hands the outcome to :class:`~widgets.cli.output._Out`.
"""

from __future__ import annotations

import json
import os
import stat
import sys
from pathlib import Path

from ..core.config import THOUSANDEYES_REDIRECT_URI, AuthType, WebhookAuthConfig
from ..core.errors import ConfigError, PastedRedirectError, TokenEndpointError, TransportError
from ..core.redact import mask, redact_body, remember, scrub
from ..core.transcript import Transcript
from .exits import EXIT_OK, _UsageError
from .oidc import id_token_text, id_token_validator
from .output import _Out, _token_text, _when
from .pending import find_state_file, load_state_file, path_for, write_private


# -- settings ---------------------------------------------------------------------------------------


def _read_secret(args, out: _Out) -> str:
    env = getattr(args, "client_secret_env", None)
    path = getattr(args, "client_secret_file", None)
    if env:
        value = os.environ.get(env)
        if value is None:
            raise ConfigError({"client_secret": [f"environment variable {env} is not set"]})
        remember(value.strip(), known=True)
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
        remember(value, known=True)
        return value
    return ""


_FILE_OPTIONS = ("client_key_file", "client_key_id", "client_assertion_alg", "tls_client_cert", "tls_client_key",
                 "tls_ca_file")


def _files(args, stored: dict | None = None) -> dict[str, str]:
    """The key and certificate options (paths and names, never their contents), over ``stored``."""
    stored = stored or {}
    return {name: getattr(args, name, None) or str(stored.get(name) or "") for name in _FILE_OPTIONS}


def _signer(config: WebhookAuthConfig):
    """The client assertion signer the *_jwt methods need (PyJWT is loaded only for them)."""
    from ..diagnose.client_assertion import assertion_signer

    return assertion_signer(config)


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
        **_files(args),
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
        secret_methods = [m for m in metadata.usable_client_auth if m in ("client_secret_basic", "client_secret_post")]
        if not getattr(args, "client_auth", None) and len(secret_methods) == 1:
            changes["client_auth"] = secret_methods[0]
        if metadata.authorization_response_iss_parameter_supported:  # RFC 9207: always sent
            changes["require_iss"] = True
        config = config.replace(**changes)
    return config, metadata


def _read_argument(value: str, what: str, out: _Out) -> str:
    """``value``, or standard input for ``-``; a warning when a secret came as an argument."""
    if value == "-":
        text = sys.stdin.read()
        if not text.strip():
            raise _UsageError(f"nothing was given on standard input for {what}")
        return text
    out.warn(f"{what} was given on the command line, where `ps` shows it to every user of this machine "
             "and the shell's history keeps it. Give - instead and paste it on standard input "
             "(Enter, then Ctrl-D).")
    return value


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
    human = "\n".join(f"{k:<{width}}  {scrub(v)}" for k, v in rows)  # the provider's metadata
    human += "".join(f"\nnote: {scrub(n)}" for n in metadata.notes)
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
    token = ClientCredentialsFlow(config, transcript, client_assertion=_signer(config)).fetch_token()
    heading = f"Token from {config.token_url} (client credentials, {config.client_auth})"
    _finish_with_token(args, out, config, token, heading)
    return EXIT_OK


def _finish_with_token(args, out: _Out, config: WebhookAuthConfig, token, heading: str) -> None:
    human = _token_text(token, reveal=args.reveal, heading=heading)
    data: dict = {"token": token.to_dict(reveal=args.reveal)}
    # What --reveal shows on purpose; everything else is scrubbed on the way out.
    revealed = [token.access_token, token.refresh_token, token.id_token] if args.reveal else []
    if args.paste_ready:
        from ..diagnose.paste_ready import paste_ready

        ready = paste_ready(config, token, reveal=args.reveal)
        human += "\n\nFor the webhook form:\n" + ready.to_text() + "\n\nAs connector JSON:\n" + ready.connector_json()
        data["paste_ready"] = {"fields": dict(ready.fields), "connector": ready.connector, "notes": list(ready.notes)}
        if args.reveal:
            revealed.append(config.client_secret)
    out.result(human, data, revealed=[v for v in revealed if v])


def _cmd_authorize(args, out: _Out, transcript: Transcript) -> int:
    from ..core.authorization_code import STATE_LIFETIME, AuthorizationCodeFlow

    if args.loopback:
        return _authorize_loopback(args, out, transcript)
    config, _ = _config(args, out, AuthType.OAUTH_CODE, transcript)
    flow = AuthorizationCodeFlow(config, transcript, client_assertion=_signer(config))
    request = flow.begin()
    path = Path(args.state_file).expanduser() if args.state_file else path_for(request.state)
    write_private(path, {
        **request.to_dict(),
        # With the request, everything the exchange needs except the client secret, which is never written.
        "config": {name: getattr(config, name) for name in AuthType.OAUTH_CODE.settings
                   if name not in AuthType.OAUTH_CODE.secrets},
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
        flow = AuthorizationCodeFlow(config, transcript, id_token_validator=id_token_validator(config, transcript),
                                     client_assertion=_signer(config))
        request = flow.begin()
        catcher.expect(request.state)  # answers with another state are refused on arrival
        out.info(f"Open this link in a browser on this machine and log in:\n\n  {request.url}\n\n"
                 f"Waiting up to {args.wait:g} s for the redirect to {catcher.redirect_uri} ...")
        landed = catcher.wait()
    token = flow.complete(landed)
    if flow.id_token_validation is not None:
        out.info(id_token_text(flow.id_token_validation))
    _finish_with_token(args, out, config, token, f"Token from {config.token_url} (authorization code, loopback)")
    return EXIT_OK


def _cmd_exchange(args, out: _Out, transcript: Transcript) -> int:
    from ..core.authorization_code import AuthorizationCodeFlow
    from ..core.authorize import AuthorizationRequest

    pasted = _read_argument(args.pasted, "the pasted address", out)
    path = find_state_file(args.state_file, pasted)
    saved = load_state_file(path, out.warn)
    try:
        request = AuthorizationRequest.from_dict(saved)
    except ConfigError as exc:
        details = "; ".join(f"{name} {problem}" for name, problems in exc.problems.items() for problem in problems)
        raise ConfigError({"state_file": [f"{path} is not a state file written by `authorize` ({details})"]},
                          hint=exc.hint) from None
    stored = saved.get("config")
    if not isinstance(stored, dict):
        raise ConfigError({"state_file": [f"{path} is damaged (no settings); start again with `authorize`"]})
    try:
        timeout = float(args.timeout if args.timeout_given else stored.get("timeout", args.timeout))
        config = WebhookAuthConfig(
            auth_type=AuthType.OAUTH_CODE,
            auth_url=stored.get("auth_url", ""),
            token_url=stored.get("token_url", ""),
            client_id=stored.get("client_id", ""),
            client_secret=_read_secret(args, out),
            redirect_uri=request.redirect_uri,
            scope=stored.get("scope", ""),
            extra_params=dict(stored.get("extra_params") or {}),
            client_auth=args.client_auth or stored.get("client_auth", "client_secret_basic"),
            pkce=bool(stored.get("pkce", True)),
            issuer=stored.get("issuer", ""),
            require_iss=stored.get("require_iss", False) is True,
            timeout=timeout,
            **_files(args, stored),
        )
    except (TypeError, ValueError, AttributeError):
        raise ConfigError({"state_file": [f"{path} is damaged; start again with `authorize`"]}) from None
    flow = AuthorizationCodeFlow(config, transcript, id_token_validator=id_token_validator(config, transcript),
                                 client_assertion=_signer(config))
    flow.resume(request)
    try:
        token = flow.complete(pasted, allow_bare_code=args.allow_bare_code)
    except (PastedRedirectError, TransportError):
        raise  # nothing was spent (or it may be retried): keep the file for another try
    except TokenEndpointError as exc:
        if not (exc.error == "invalid_grant" and flow.is_open(request.state)):  # a mistyped code: still open
            path.unlink(missing_ok=True)
        raise
    except BaseException:
        path.unlink(missing_ok=True)  # state used, refused or mismatched: it must not be tried again
        raise
    path.unlink(missing_ok=True)
    if flow.id_token_validation is not None:
        out.info(id_token_text(flow.id_token_validation))
    _finish_with_token(args, out, config, token, f"Token from {config.token_url} (authorization code)")
    return EXIT_OK


def _cmd_inspect(args, out: _Out, transcript: Transcript) -> int:
    from ..diagnose.inspect_token import inspect_token

    text = _read_argument(args.token, "the token", out)
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
    for part in ("header", "claims"):
        # The token's own members, named by whoever made it: "password": ... is masked like any
        # secret-named member (the output's scrub sees each value without its name).
        if isinstance(data.get(part), dict):
            data[part] = json.loads(redact_body(json.dumps(data[part]), "application/json"))
    human = result.to_text()
    revealed = []
    if args.reveal:
        raw = text.strip()
        data["token"] = raw
        human = human.replace(result.masked, raw, 1)
        revealed.append(raw)
    out.result(human, {"inspection": data}, revealed=revealed)
    return EXIT_OK


def _demo_files(provider, methods: tuple[str, ...], mtls: bool) -> dict[str, str]:
    """The mTLS endpoint, the CA, and the key and certificate files the demo made for its client."""
    info: dict[str, str] = {}
    if mtls:
        info.update(mtls_token_url=provider.mtls_token_url, tls_ca_file=provider.ca_file)
    if "private_key_jwt" in methods:
        info["client_key_file"], info["client_key_id"] = provider.make_client_key()
    if mtls and "tls_client_auth" in methods:
        info["tls_client_cert"], info["tls_client_key"] = provider.issue_client_certificate()
    if mtls and "self_signed_tls_client_auth" in methods:
        info["self_signed_cert"], info["self_signed_key"] = provider.make_self_signed_certificate()
    return info


def _cmd_demo(args, out: _Out, transcript: Transcript) -> int:
    import signal
    import tempfile
    import threading

    from ..demo import DemoProvider

    methods = tuple(args.client_auth_methods)
    provider = DemoProvider(require_state=args.require_state, require_pkce=args.require_pkce,
                            client_auth_methods=methods, port=args.port, mtls=args.mtls)
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
            **_demo_files(provider, methods, args.mtls),
            "require_state": args.require_state,
            "require_pkce": args.require_pkce,
            "login_username": provider.username,
            "login_password": provider.password,  # shown on the demo's own login page too
            "webhook_username": provider.webhook_username,
            "webhook_password": provider.webhook_password if args.reveal else mask(provider.webhook_password),
        }
        width = max(len(k) for k in info)
        human = "\n".join(["Demo authorization server running:",
                           *(f"  {key:<{width}}  {value}" for key, value in info.items()),
                           f"\nTry:\n  python -m widgets probe --issuer {provider.issuer} --client-id "
                           f"{provider.client_id} --client-secret-file {secret_path}",
                           "\nServing until Ctrl-C."])
        shown = [provider.password] + ([provider.client_secret, provider.webhook_password] if args.reveal else [])
        out.result(human, {"demo": info}, revealed=shown, indent=None)  # one line: scripts read it as one

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
    out.note("Demo provider stopped.")
    return EXIT_OK

