"""IPython startup file (test setting only): every DemoProvider in this kernel turns hostile.

tests/notebooks/test_notebooks_hostile_provider.py copies this file into the startup folder of
a throw-away IPYTHONDIR, so only the kernels of that test load it; the product has no hostile
switch. It patches the demo provider's WSGI entry and its JWT signer, so the notebooks run
unchanged, against an authorization server whose every provider-controlled field is markup:
scope, error, error_description, error_uri, extra token fields, JWT claims, discovery
metadata, response headers, WWW-Authenticate challenges, redirect parameters and page text.

The markup is built so the flows still work (codes keep their standard prefix, the scope keeps
the scopes asked for), so every cell runs and shows what it shows with the hostile values in
it. Each payload carries a marker (``wal-hostile-<field>``) that the test looks for, as text,
in the notebook's HTML outputs: proof that the value got there and was escaped.
"""

import json
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit


def payload(field: str) -> str:
    """Markup that runs script in three ways if rendered unescaped; tagged with ``field``."""
    return (f"<script>alert('wal-hostile-{field}')</script>"
            f"<img src=x onerror=alert('wal-hostile-{field}')>"
            f"<a href=\"javascript:alert('wal-hostile-{field}')\">wal-hostile-{field}</a>")


def token_scope_payload(field: str) -> str:
    # A scope token may not hold a space (RFC 6749 §3.3): one tag per token.
    return f"<svg/onload=alert('wal-hostile-{field}')>"


JAVASCRIPT_URL = "javascript:alert('wal-hostile-error_uri')//"


def _hostile_json(path: str, data: object) -> object:
    if not isinstance(data, dict):
        return data
    data = dict(data)
    if "error" in data:
        # The device grant's polling answers are the protocol itself (RFC 8628 §3.5): a client
        # must match them exactly, so they stay as sent; their description and URI turn hostile.
        if data["error"] not in ("authorization_pending", "slow_down"):
            data["error"] = f"{data['error']}{payload('error')}"
        data["error_description"] = f"{data.get('error_description') or ''} {payload('error_description')}"
        data["error_uri"] = JAVASCRIPT_URL
    if "access_token" in data:
        data["scope"] = f"{data.get('scope') or 'alerts:write'} {token_scope_payload('scope')}"
        data["hostile_field"] = payload("token_field")
        data[f"<b>{payload('token_field_name')}</b>"] = "x"
    if "active" in data:  # introspection
        data["hostile_introspection"] = payload("introspection")
    if path.startswith("/.well-known/"):
        data["service_documentation"] = "javascript:alert('wal-hostile-metadata')//"
        data["op_policy_uri"] = payload("metadata")
        data["scopes_supported"] = [*data.get("scopes_supported", []), token_scope_payload("metadata_scope")]
        data[payload("metadata_name")] = payload("metadata")
    if "received" in data:  # the webhook receiver
        data["detail"] = payload("webhook")
    return data


def _hostile_location(location: str) -> str:
    parts = urlsplit(location)
    for name in ("query", "fragment"):
        pairs = parse_qsl(getattr(parts, name), keep_blank_values=True)
        keys = [k for k, _ in pairs]
        if "error" in keys:
            pairs = [(k, v + payload("error") if k == "error" else v) for k, v in pairs if k not in
                     ("error_description", "error_uri")]
            pairs += [("error_description", payload("error_description")), ("error_uri", JAVASCRIPT_URL)]
            return urlunsplit(parts._replace(**{name: urlencode(pairs)}))
    return location


def _install() -> None:
    from widgets.demo import keys, provider

    original_wsgi = provider.DemoProvider._wsgi
    original_mint = keys.SigningKey.mint

    def hostile_wsgi(self, environ, start_response):
        captured = {}

        def capture(status, headers, exc_info=None):
            captured["status"], captured["headers"] = status, list(headers)
            return lambda data: None

        body = b"".join(original_wsgi(self, environ, capture))
        status, headers = captured["status"], captured["headers"]
        kind = next((v for k, v in headers if k.lower() == "content-type"), "")
        if "json" in kind:
            try:
                body = json.dumps(_hostile_json(environ.get("PATH_INFO", ""), json.loads(body))).encode()
            except ValueError:
                pass
        elif "html" in kind:
            body += f"<p>{payload('page')}</p>".replace("<", "&lt;").replace("&lt;p>", "<p>").encode()
        headers = [(k, _hostile_location(v) if k.lower() == "location" else v) for k, v in headers
                   if k.lower() != "content-length"]
        headers += [("Content-Length", str(len(body))), ("X-Hostile", payload("header"))]
        if status.startswith("401"):
            headers.append(("WWW-Authenticate", f'Bearer realm="{payload("challenge")}", error="{payload("challenge")}"'))
        start_response(status, headers)
        return [body]

    def hostile_mint(self, claims, **options):
        return original_mint(self, {**claims, "hostile_claim": payload("claim"), payload("claim_name"): "x"}, **options)

    provider.DemoProvider._wsgi = hostile_wsgi
    keys.SigningKey.mint = hostile_mint


_install()
