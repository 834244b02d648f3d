"""The person in the browser, scripted: open the demo's sign-in page, log in, approve or deny.

It does over plain HTTP what a person does with the page (no JavaScript is
involved: the page has none), so a notebook's *Run all* and the tests can go
through the authorization code flow with nobody at the keyboard. It reads the
page with :func:`pages.read_page`, which knows only this provider's own form.
"""

from __future__ import annotations

from typing import Iterable
from urllib.parse import urljoin

import requests

from . import pages

__all__ = ["approve", "approve_device"]


def approve(
    authorize_url: str,
    *,
    user: str,
    password: str,
    deny: bool = False,
    scope: str | Iterable[str] | None = None,
) -> str:
    """Do what a person does in the browser and return where the browser is sent.

    GET the authorization URL; a redirect (an error the client must see) is
    returned unchanged. Otherwise fill in the sign-in form with ``user`` and
    ``password``, grant ``scope`` (default: all that were asked for), press
    Approve (or Deny) and return the ``Location`` of the answer without
    following it. Raises ``RuntimeError`` when the page shows an error instead
    (unknown client, bad redirect URI, wrong password).
    """
    with requests.Session() as session:
        # These are the provider's loopback pages: a notebook's HTTP(S)_PROXY or
        # .netrc must not see them (the form carries the password).
        session.trust_env = False
        page = session.get(authorize_url, allow_redirects=False, timeout=30)
        if page.is_redirect:
            return page.headers["Location"]
        content = pages.read_page(page.text)
        if page.status_code != 200 or content.form is None:
            raise RuntimeError(_page_problem("authorization page", page.status_code, content))
        form = content.form
        data = [(k, v) for k, v in form.fields if k not in ("username", "password")]
        data += [("username", user), ("password", password)]
        if scope is None:
            granted = [value for name, value, checked in form.checkboxes if checked]
        else:
            granted = scope.split() if isinstance(scope, str) else list(scope)
        data += [("grant_scope", s) for s in granted]
        data.append(("decision", "deny" if deny else "approve"))
        answer = session.post(
            urljoin(page.url, form.action or page.url),
            data=data,
            allow_redirects=False,
            timeout=30,
        )
        if answer.is_redirect:
            return answer.headers["Location"]
        raise RuntimeError(
            _page_problem("sign-in form", answer.status_code, pages.read_page(answer.text))
        )


def approve_device(verification_uri: str, user_code: str, *, user: str, password: str, deny: bool = False) -> str:
    """Do what a person does at the device verification page (RFC 8628 §3.3).

    GET the page, type ``user_code``, ``user`` and ``password`` into its form, press
    Approve (or Deny), and return the heading of the page that answers ("Device approved",
    "Request denied"). Raises ``RuntimeError`` when a page shows an error instead.
    """
    with requests.Session() as session:
        session.trust_env = False  # the provider's loopback pages; the form carries the password
        page = session.get(verification_uri, allow_redirects=False, timeout=30)
        content = pages.read_page(page.text)
        if page.status_code != 200 or content.form is None:
            raise RuntimeError(_page_problem("verification page", page.status_code, content))
        form = content.form
        data = [(k, v) for k, v in form.fields if k not in ("user_code", "username", "password")]
        data += [("user_code", user_code), ("username", user), ("password", password)]
        data.append(("decision", "deny" if deny else "approve"))
        answer = session.post(urljoin(page.url, form.action or page.url), data=data,
                              allow_redirects=False, timeout=30)
        result = pages.read_page(answer.text)
        if answer.status_code != 200 or result.errors or result.form is not None:
            raise RuntimeError(_page_problem("verification form", answer.status_code, result))
        return result.heading


def _page_problem(what: str, status: int, content: pages.PageContent) -> str:
    detail = content.errors[0] if content.errors else "no form on the page"
    if status == 200:
        return f"{what} came back with an error: {detail}"
    return f"{what} answered HTTP {status}: {detail}"
