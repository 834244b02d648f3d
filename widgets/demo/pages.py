"""HTML pages of the demo provider, and a reader for its own sign-in form.

Small, self-contained pages (inline CSS, no scripts, no external assets) that a
person can use in a real browser. Every value that came from a request is
escaped with ``html.escape(..., quote=True)`` before it reaches the page.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Iterable, Mapping

_CSS = """
:root { color-scheme: light dark; --accent: #2563eb; --muted: #6b7280; --bad: #b91c1c; }
* { box-sizing: border-box; }
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
       margin: 0; padding: 2rem 1rem; background: Canvas; color: CanvasText; }
main { max-width: 30rem; margin: 0 auto; padding: 1.5rem 1.75rem;
       border: 1px solid color-mix(in srgb, CanvasText 15%, transparent); border-radius: 12px; }
h1 { font-size: 1.25rem; margin: 0 0 .75rem; }
.tag { font-size: .75rem; text-transform: uppercase; letter-spacing: .05em; color: var(--muted); }
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: .9em;
              overflow-wrap: anywhere; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .25rem .75rem; margin: 1rem 0; }
dt { color: var(--muted); }
dd { margin: 0; overflow-wrap: anywhere; }
fieldset { border: 0; padding: 0; margin: 1rem 0; }
legend { font-weight: 600; margin-bottom: .25rem; }
label { display: block; margin: .5rem 0 .2rem; }
input[type=text], input[type=password] { width: 100%; padding: .45rem .6rem; font: inherit;
       border: 1px solid var(--muted); border-radius: 6px; background: Field; color: FieldText; }
.scope { display: flex; gap: .5rem; align-items: baseline; margin: .2rem 0; }
.scope label { display: inline; margin: 0; }
.buttons { display: flex; gap: .75rem; margin-top: 1.25rem; }
button { font: inherit; padding: .5rem 1.1rem; border-radius: 6px; cursor: pointer;
         border: 1px solid var(--accent); background: transparent; color: var(--accent); }
button.primary { background: var(--accent); color: white; }
.error { color: var(--bad); font-weight: 600; }
.note { font-size: .85rem; color: var(--muted); border-top: 1px dashed var(--muted);
        margin-top: 1.5rem; padding-top: .75rem; }
textarea { width: 100%; min-height: 5rem; font-family: ui-monospace, monospace; font-size: .85rem; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: .25rem .5rem; border-bottom: 1px solid
         color-mix(in srgb, CanvasText 12%, transparent); vertical-align: top; overflow-wrap: anywhere; }
"""


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _page(title: str, body: str) -> str:
    return (
        "<!doctype html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(title)}</title><style>{_CSS}</style></head>"
        f"<body><main>{body}</main></body></html>\n"
    )


def _alert(error: str | None) -> str:
    """A form's error message, read out by screen readers (empty when there is none)."""
    return f'<p class="error" role="alert">{_e(error)}</p>' if error else ""


def _sign_in_and_decide(username_value: str, demo_username: str, demo_password: str) -> str:
    """The end of the consent and device forms: username, password, Approve or Deny, and the
    note that names the demo's login (the same on both pages, so a person learns it once)."""
    return f"""  <label for="username">Username</label>
  <input type="text" id="username" name="username" value="{_e(username_value)}"
         autocomplete="username" autocapitalize="none" spellcheck="false">
  <label for="password">Password</label>
  <input type="password" id="password" name="password" autocomplete="current-password">
  <div class="buttons">
    <button class="primary" type="submit" name="decision" value="approve">Approve</button>
    <button type="submit" name="decision" value="deny">Deny</button>
  </div>
</form>
<p class="note">This is a teaching server running inside your notebook.
Sign in as <code>{_e(demo_username)}</code> with password <code>{_e(demo_password)}</code>.</p>
"""


def consent_page(
    *,
    client_id: str,
    redirect_uri: str,
    requested_scopes: Iterable[str],
    checked_scopes: Iterable[str] | None,
    hidden: Mapping[str, str],
    username_value: str = "",
    error: str | None = None,
    demo_username: str,
    demo_password: str,
) -> str:
    """The sign-in and consent form for one authorization request.

    ``hidden`` carries the authorization request through the form post; the
    ticked ``grant_scope`` boxes are what the person grants (None: all requested).
    The form posts to the relative ``authorize``: the page may be reached through a
    proxy under another path (jupyter-server-proxy's ``<base_url>proxy/<port>/``),
    and ``/authorize`` would leave it.
    """
    requested = list(requested_scopes)
    checked = set(requested if checked_scopes is None else checked_scopes)
    scope_rows = "".join(
        f'<div class="scope"><input type="checkbox" name="grant_scope" value="{_e(s)}" '
        f'id="scope-{i}"{" checked" if s in checked else ""}>'
        f'<label for="scope-{i}"><code>{_e(s)}</code></label></div>'
        for i, s in enumerate(requested)
    )
    hidden_inputs = "".join(
        f'<input type="hidden" name="{_e(k)}" value="{_e(v)}">' for k, v in hidden.items()
    )
    body = f"""
<p class="tag">Demo authorization server</p>
<h1>Sign in to allow <code>{_e(client_id)}</code></h1>
{_alert(error)}
<dl>
  <dt>App (client id)</dt><dd><code>{_e(client_id)}</code></dd>
  <dt>Returns you to</dt><dd><code>{_e(redirect_uri)}</code></dd>
</dl>
<form method="post" action="authorize">
  {hidden_inputs}
  <fieldset>
    <legend>The app asks for</legend>
    {scope_rows}
  </fieldset>
{_sign_in_and_decide(username_value, demo_username, demo_password)}"""
    return _page("Sign in - demo authorization server", body)


def device_page(
    *,
    user_code: str,
    error: str | None,
    username_value: str,
    form_token: str,
    demo_username: str,
    demo_password: str,
) -> str:
    """The verification page of the device grant (RFC 8628 §3.3): type the code, sign in, decide."""
    body = f"""
<p class="tag">Demo authorization server - connect a device</p>
<h1>Enter the code your device shows</h1>
{_alert(error)}
<p>A device (or a notebook playing one) asked to act as you. Type the code it shows,
sign in, and approve or deny. Only approve a code you see on your own device.</p>
<form method="post" action="device">
  <input type="hidden" name="form_token" value="{_e(form_token)}">
  <label for="user_code">Code</label>
  <input type="text" id="user_code" name="user_code" value="{_e(user_code)}" autocomplete="one-time-code"
         autocapitalize="characters" spellcheck="false" placeholder="XXXX-XXXX">
{_sign_in_and_decide(username_value, demo_username, demo_password)}"""
    return _page("Connect a device - demo authorization server", body)


def device_done_page(*, approved: bool, client_id: str, scopes: Iterable[str]) -> str:
    """What the person sees after deciding on the verification page."""
    title = "Device approved" if approved else "Request denied"
    said = (f"<code>{_e(client_id)}</code> may now act as you with <code>{_e(' '.join(scopes))}</code>. "
            "Go back to your device: it picks up its token at its next poll."
            if approved else "The device gets no token: it learns that you denied at its next poll.")
    body = f"""
<p class="tag">Demo authorization server - connect a device</p>
<h1 class="result">{_e(title)}</h1>
<p>{said}</p>
<p>You can close this page.</p>
"""
    return _page(f"{title} - demo authorization server", body)


def error_page(title: str, message: str) -> str:
    """An error a person must read; never a redirect (RFC 6749 §4.1.2.1)."""
    body = f"""
<p class="tag">Demo authorization server</p>
<h1>{_e(title)}</h1>
<p class="error" role="alert">{_e(message)}</p>
<p>The app's request could not be sent back to it safely, so it stops here.
Check the client id and redirect URI the app uses.</p>
"""
    return _page(title, body)


def callback_page(full_url: str, params: Iterable[tuple[str, str]]) -> str:
    """Where a browser lands when the redirect URI is the provider's own callback.

    What it says follows what arrived: a code (paste the address; the notebook checks the
    state and exchanges the code), an ``error=`` (the login was refused or denied: there is no
    code, nothing to exchange), or neither.
    """
    params = list(params)
    names = {k for k, _ in params}
    rows = "".join(
        f"<tr><th><code>{_e(k)}</code></th><td><code>{_e(v)}</code></td></tr>" for k, v in params
    )
    table = f"<table>{rows}</table>" if rows else "<p>No parameters arrived.</p>"
    if "error" in names:
        error = next(v for k, v in params if k == "error")
        heading = "The sign-in did not give a code"
        what = (f"<p class=\"error\" role=\"alert\">The provider answered <code>error={_e(error)}</code>"
                + (" (you pressed Deny)" if error == "access_denied" else "") + ".</p>"
                "<p>There is no code, so there is nothing to exchange. Paste this address into the notebook "
                "to see the error there, or start again with a fresh authorize link and approve.</p>")
    elif "code" in names:
        heading = "Copy this page's address and paste it into the notebook"
        what = ("<p>The notebook finishes the sign-in: it checks <code>state</code> and exchanges the code. "
                "Nothing has been exchanged yet.</p>")
    else:
        heading = "Nothing to paste: no code arrived"
        what = "<p>This address carries neither a code nor an error. Start again with the authorize link.</p>"
    body = f"""
<p class="tag">Demo authorization server - callback</p>
<h1>{heading}</h1>
{what}
<label for="address">This page's address</label>
<textarea id="address" readonly>{_e(full_url)}</textarea>
<h2 class="tag">What arrived</h2>
{table}
"""
    return _page("Callback - demo authorization server", body)


@dataclass
class Form:
    """The first form of a page, as a browser would see it."""

    action: str = ""
    method: str = "get"
    fields: list[tuple[str, str]] = field(default_factory=list)  # hidden + text inputs
    checkboxes: list[tuple[str, str, bool]] = field(default_factory=list)
    buttons: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class PageContent:
    form: Form | None = None
    errors: list[str] = field(default_factory=list)
    #: The text of the first ``<h1>``.
    heading: str = ""


_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
                   "source", "track", "wbr"})


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.content = PageContent()
        self._in_form = False
        self._error_depth = 0
        self._error_text: list[str] = []
        self._in_h1 = False
        self._h1_done = False

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        if self._error_depth:
            self._error_depth += tag not in _VOID
        elif "error" in a.get("class", "").split():
            self._error_depth = 1
            self._error_text = []
        if tag == "h1" and not self._h1_done:
            self._in_h1 = True
        if tag == "form" and self.content.form is None:
            self.content.form = Form(a.get("action", ""), a.get("method", "get").lower())
            self._in_form = True
            return
        if not self._in_form or "name" not in a:
            return
        form = self.content.form
        if tag == "input":
            kind = a.get("type", "text").lower()
            if kind == "checkbox":
                form.checkboxes.append((a["name"], a.get("value", "on"), "checked" in a))
            elif kind in ("hidden", "text", "password"):
                form.fields.append((a["name"], a.get("value", "")))
        elif tag == "button":
            form.buttons.append((a["name"], a.get("value", "")))

    def handle_endtag(self, tag):
        if tag == "h1" and self._in_h1:
            self._in_h1, self._h1_done = False, True
            self.content.heading = " ".join(self.content.heading.split())
        if tag == "form":
            self._in_form = False
        if self._error_depth and tag not in _VOID:
            self._error_depth -= 1
            if not self._error_depth:
                self.content.errors.append(" ".join("".join(self._error_text).split()))

    def handle_data(self, data):
        if self._in_h1:
            self.content.heading += data
        if self._error_depth:
            self._error_text.append(data)


def read_page(text: str) -> PageContent:
    """Read the first form and any ``class="error"`` messages from a page."""
    reader = _Reader()
    reader.feed(text)
    reader.close()
    return reader.content
