"""RFC 8628 — https://www.rfc-editor.org/rfc/rfc8628

The device authorization grant: a device with no browser (or no keyboard) gets a token while a
person approves on another screen.

1. :meth:`DeviceFlow.begin` POSTs to the device authorization endpoint (§3.1) and returns a
   :class:`DeviceAuthorization` (§3.2): the ``user_code`` a person types, the
   ``verification_uri`` where they type it (and ``verification_uri_complete``, which carries
   the code, for a QR code), how long the codes live and how often to poll. The
   ``device_code`` is the device's secret: it is masked wherever it is shown.
2. A person opens the verification URI, types the code, and approves (or denies).
3. :meth:`DeviceFlow.poll` asks the token endpoint (§3.4) every ``interval`` seconds and reads
   each answer as §3.5 says: ``authorization_pending`` (wait, ask again), ``slow_down`` (the
   interval grows by 5 seconds, for this and every later request), ``access_denied``
   (:class:`~widgets.core.errors.DeviceAccessDenied`), ``expired_token``
   (:class:`~widgets.core.errors.DeviceCodeExpired`). Polling is bounded: it stops when the
   codes expire and, when a ``timeout`` is given, after that many seconds
   (:class:`~widgets.core.errors.DevicePollTimeout`).

The token request is oauthlib's (:class:`oauthlib.oauth2.DeviceClient` builds the body with the
device-code grant type), sent through the shared :class:`~widgets.core.token_endpoint.TokenEndpoint`.
The device authorization request is built here: ``DeviceClient.prepare_request_uri`` puts the
client secret into a URL query and adds a ``grant_type`` that §3.1 does not have, whereas §3.1
asks for a form-encoded POST body, with the client authenticated as at the token endpoint.

A webhook cannot use this grant (nobody is there to type a code); it is here to be taught, and
the token it yields can be pasted as a Token.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlencode

from oauthlib.oauth2 import DeviceClient

from .config import AuthType, WebhookAuthConfig, url_problem
from .errors import (
    ConfigError,
    DeviceAccessDenied,
    DeviceCodeExpired,
    DevicePollTimeout,
    TokenEndpointError,
    hint_for_oauth_error,
)
from .loopback import allow_loopback_http
from .redact import mask, redact_url, remember, scrub
from .token import Token
from .token_endpoint import TokenEndpoint
from .token_response import preview
from .transcript import Transcript

__all__ = ["DeviceFlow", "DeviceAuthorization", "PollEvent", "parse_device_authorization",
           "DEFAULT_INTERVAL", "SLOW_DOWN_STEP", "GRANT_TYPE"]

GRANT_TYPE = DeviceClient.grant_type
#: §3.2: "If no value is provided, clients MUST use 5 as the default."
DEFAULT_INTERVAL = 5
#: §3.5: slow_down adds 5 seconds to the interval, for this and all later requests.
SLOW_DOWN_STEP = 5
# What a sane answer holds: a user code a person can type, lifetimes a person can wait out.
_MAX_USER_CODE = 64
_MAX_EXPIRES_IN = 24 * 3600
_MAX_INTERVAL = 600


@dataclass(frozen=True, repr=False)
class DeviceAuthorization:
    """The device authorization response (RFC 8628 §3.2). Keep ``device_code`` secret.

    ``user_code`` and the verification URIs are meant to be shown to a person (they are not
    secrets: without the device code they get nobody a token). Provider text: escape it
    wherever it is rendered.
    """

    device_code: str
    user_code: str
    verification_uri: str
    expires_in: int
    interval: int = DEFAULT_INTERVAL
    verification_uri_complete: str | None = None
    #: Wall-clock time the answer arrived; the codes expire ``expires_in`` seconds later.
    received_at: float = field(default_factory=time.time)
    notes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        remember(self.device_code)

    @property
    def expires_at(self) -> float:
        return self.received_at + self.expires_in

    def seconds_left(self, now: float | None = None) -> float:
        """Seconds until the codes expire (negative once they have)."""
        return self.expires_at - (time.time() if now is None else now)

    @property
    def link(self) -> str:
        """Where to send a person: ``verification_uri_complete`` when given, else the plain URI."""
        return self.verification_uri_complete or self.verification_uri

    def to_dict(self) -> dict[str, object]:
        """Plain values for display; the device code masked."""
        return {
            "user_code": self.user_code,
            "verification_uri": self.verification_uri,
            "verification_uri_complete": self.verification_uri_complete,
            "expires_in": self.expires_in,
            "interval": self.interval,
            "device_code": mask(self.device_code),
            "notes": list(self.notes),
        }

    def __repr__(self) -> str:
        return (f"DeviceAuthorization(user_code={self.user_code!r}, verification_uri={self.verification_uri!r}, "
                f"expires_in={self.expires_in}, interval={self.interval}, device_code={mask(self.device_code)!r})")

    __str__ = __repr__


@dataclass(frozen=True)
class PollEvent:
    """What :meth:`DeviceFlow.poll` is doing, for a display that follows it.

    ``kind``: ``waiting`` (about to sleep ``interval`` seconds), ``pending``
    (authorization_pending), ``slow_down`` (the interval grew), ``approved`` (a token came).
    ``message`` is a sentence for a person.
    """

    kind: str
    interval: int
    seconds_left: float
    polls: int
    message: str


def _refused(status: int, params: dict | None, body: bytes, content_type: str,
             client_auth: str | None) -> TokenEndpointError:
    if params is not None and params.get("error") not in (None, ""):
        error = str(params["error"])
        description = params.get("error_description")
        description = None if description is None else scrub(str(description))
        text = f"The device authorization endpoint refused the request (HTTP {status}): {scrub(error)}"
        if description:
            text += f" — {description}"
        hint = None
        if error == "unsupported_grant_type" or (error == "unauthorized_client"):
            hint = ("This client may not use the device grant. Enable 'device code' / 'device flow' for "
                    "the client in the provider's console.")
        return TokenEndpointError(text, status=status, error=error, description=description,
                                  hint=hint or hint_for_oauth_error(error, client_auth=client_auth,
                                                                    description=description))
    kind = content_type.split(";")[0].strip() or "no content type"
    shown = preview(body)
    return TokenEndpointError(
        f"The device authorization endpoint answered HTTP {status} with {kind}, not a device "
        "authorization (RFC 8628 §3.2). " + (f"Start of the body: {shown}" if shown else "The body is empty."),
        status=status,
        hint="Check the Device authorization URL (metadata: device_authorization_endpoint); a login page "
        "or an error page here usually means a wrong URL.",
    )


def _positive_int(params: dict, name: str, default: int | None, ceiling: int, notes: list[str]) -> int | None:
    value = params.get(name)
    if value is None:
        return default
    if isinstance(value, str) and value.strip().isdigit():  # some providers send numbers as text
        notes.append(f"{name} came as text ({value!r}); read as a number.")
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        return None
    return min(value, ceiling)


def parse_device_authorization(status: int, content_type: str, body: bytes, *, client_auth: str | None = None,
                               received_at: float | None = None) -> DeviceAuthorization:
    """Read a device authorization response (RFC 8628 §3.2) strictly, or raise TokenEndpointError.

    Pure. Known deviations are accepted with a note: ``verification_url`` (Google's name for
    ``verification_uri``) and numbers sent as text.
    """
    try:
        params = json.loads(body.decode("utf-8-sig"))
    except (ValueError, UnicodeDecodeError, RecursionError):
        params = None
    if not isinstance(params, dict):
        params = None
    if params is None or status != 200 or params.get("error") not in (None, ""):
        raise _refused(status, params, body, content_type, client_auth)
    notes: list[str] = []
    problems: list[str] = []
    device_code, user_code = params.get("device_code"), params.get("user_code")
    if not isinstance(device_code, str) or not device_code.strip():
        problems.append("no device_code")
    if not isinstance(user_code, str) or not user_code.strip():
        problems.append("no user_code")
    elif len(user_code) > _MAX_USER_CODE or not user_code.isprintable():
        problems.append("a user_code no person could type")
    uri = params.get("verification_uri")
    if uri is None and isinstance(params.get("verification_url"), str):
        uri = params["verification_url"]
        notes.append("The provider calls verification_uri 'verification_url' (as Google does); read as such.")
    if not isinstance(uri, str) or url_problem(uri) is not None:
        problems.append("no usable verification_uri" + (f" (it {url_problem(uri)})" if isinstance(uri, str) and uri else ""))
    complete = params.get("verification_uri_complete")
    if complete is not None and (not isinstance(complete, str) or url_problem(complete) is not None):
        notes.append("verification_uri_complete is not a usable URL; ignored.")
        complete = None
    expires_in = _positive_int(params, "expires_in", None, _MAX_EXPIRES_IN, notes)
    if expires_in is None:
        problems.append("no usable expires_in (a positive number of seconds)")
    interval = _positive_int(params, "interval", DEFAULT_INTERVAL, _MAX_INTERVAL, notes)
    if interval is None:
        notes.append(f"interval is not a positive number of seconds; {DEFAULT_INTERVAL} s used (RFC 8628 §3.2).")
        interval = DEFAULT_INTERVAL
    if "interval" not in params:
        notes.append(f"No interval given: polling every {DEFAULT_INTERVAL} s, as RFC 8628 §3.2 says.")
    if problems:
        raise TokenEndpointError(
            f"The device authorization response (HTTP {status}) has " + ", ".join(problems) + " (RFC 8628 §3.2).",
            status=status,
            hint="The provider's answer is not a device authorization. Check the Device authorization URL "
            "(metadata: device_authorization_endpoint), and that the client may use the device grant.",
        )
    return DeviceAuthorization(
        device_code=device_code.strip(),
        user_code=user_code.strip(),
        verification_uri=uri,
        verification_uri_complete=complete,
        expires_in=expires_in,
        interval=interval,
        received_at=time.time() if received_at is None else received_at,
        notes=tuple(notes),
    )


class DeviceFlow:
    """Run the device authorization grant: :meth:`begin`, a person approves, :meth:`poll`.

    ``config`` needs ``device_authorization_url``, ``token_url`` and ``client_id`` (a secret
    when the client is confidential). ``sleep`` and ``clock`` (monotonic seconds) can be
    replaced, so a test can poll without waiting. Every request is recorded in
    ``transcript``, masked; each poll is a row, so the transcript shows the polling as it went.
    """

    def __init__(self, config: WebhookAuthConfig, transcript: Transcript | None = None, *,
                 sleep: Callable[[float], None] = time.sleep, clock: Callable[[], float] = time.monotonic):
        config = config.replace(auth_type=AuthType.DEVICE)
        config.validate()
        self.config = config
        self._client = DeviceClient(client_id=config.client_id)
        self._endpoint = TokenEndpoint(config, transcript, self._client, send_redirect_uri=False)
        self._sleep = sleep
        self._clock = clock
        self.authorization: DeviceAuthorization | None = None
        self._began_at: float | None = None  # clock() when the authorization arrived
        self.interval = DEFAULT_INTERVAL
        self.polls = 0
        self.token: Token | None = None

    @property
    def transcript(self) -> Transcript:
        return self._endpoint.transcript

    # -- 1. the codes --------------------------------------------------------------------
    def begin(self) -> DeviceAuthorization:
        """Ask for a device code and a user code (RFC 8628 §3.1-3.2)."""
        cfg = self.config
        auth = self._endpoint._client_auth()  # as at the token endpoint (§3.1 → RFC 6749 §2.3.1)
        # client_id always: §3.1 needs it only without client authentication, but it is allowed
        # with it, and oauthlib-based servers (the demo's among them) ask for it every time.
        form = [("client_id", cfg.client_id)]
        if "client_secret" in auth:
            form.append(("client_secret", auth["client_secret"]))
        if cfg.scope:
            form.append(("scope", cfg.scope))
        form.extend(cfg.extra_params.items())
        session = self._endpoint.session
        boundary = self._endpoint.boundary
        step = "device: authorization request"
        with allow_loopback_http(), boundary.step(step, "POST", cfg.device_authorization_url):
            response = session.post(
                cfg.device_authorization_url, data=urlencode(form), auth=auth.get("auth"),
                headers={"Accept": "application/json", "Content-Type": "application/x-www-form-urlencoded"},
                timeout=cfg.timeout, withhold_token=True,
            )
            authorization = parse_device_authorization(
                response.status_code, response.headers.get("Content-Type", ""), response.content,
                client_auth=cfg.client_auth if cfg.client_secret else None,
            )
        last = boundary.last
        if last is not None:
            last.note = scrub(" ".join([
                f"Show the person the user code {authorization.user_code} and {authorization.verification_uri}; "
                f"the codes live {authorization.expires_in} s, poll every {authorization.interval} s.",
                *authorization.notes]))
        self.authorization = authorization
        self._began_at = self._clock()
        self.interval = authorization.interval
        self.polls = 0
        self.token = None
        return authorization

    # -- 3. polling ------------------------------------------------------------------------
    def seconds_left(self) -> float:
        """Seconds until the codes expire, by this flow's clock."""
        if self.authorization is None or self._began_at is None:
            return 0.0
        return self.authorization.expires_in - (self._clock() - self._began_at)

    def poll(self, *, timeout: float | None = None, on_event: Callable[[PollEvent], None] | None = None) -> Token:
        """Poll the token endpoint until the request is approved; return the token.

        Waits ``interval`` seconds before each request (RFC 8628 §3.4-3.5), 5 more after each
        ``slow_down``. Stops with :class:`DeviceAccessDenied` or :class:`DeviceCodeExpired` when
        the provider says so, with :class:`DeviceCodeExpired` when the codes' lifetime is over
        (the provider is not asked again), and with :class:`DevicePollTimeout` after
        ``timeout`` seconds. ``on_event`` is called with a :class:`PollEvent` before each wait
        and after each answer.
        """
        if self.authorization is None:
            raise ConfigError({"device_code": ["there is none yet"]},
                              hint="Call begin() first: it asks the provider for the codes to show.")
        if self.token is not None:
            return self.token
        started = self._clock()
        notify = on_event or (lambda event: None)
        while True:
            left = self.seconds_left()
            if left <= 0 or self.interval > left:
                when = ("expired" if left <= 0 else
                        f"expires in {int(left)} s, before the next poll ({self.interval} s from now) could be sent,")
                raise DeviceCodeExpired(
                    f"The device code {when} and the request was not approved (the codes live "
                    f"{self.authorization.expires_in} s; the provider was polled {self.polls} time(s)).",
                    error="expired_token", hint=DeviceCodeExpired.default_hint,
                )
            if timeout is not None and self._clock() - started + self.interval > timeout:
                raise DevicePollTimeout(
                    f"Stopped polling after {self._clock() - started:.0f} s (the timeout of {timeout:g} s) and "
                    f"{self.polls} poll(s); the request was still not approved.",
                )
            notify(PollEvent("waiting", self.interval, left, self.polls,
                             f"Waiting {self.interval} s before asking the token endpoint again "
                             f"(the code expires in {max(0, int(left))} s)."))
            self._sleep(self.interval)
            token = self._poll_once(notify)
            if token is not None:
                return token

    def _poll_once(self, notify: Callable[[PollEvent], None]) -> Token | None:
        step = f"device: poll {self.polls + 1}"
        self.polls += 1
        try:
            token = self._endpoint.request_token(step, device_code=self.authorization.device_code)
        except TokenEndpointError as exc:
            last = self._endpoint.boundary.last
            if exc.error in ("authorization_pending", "slow_down"):
                if exc.error == "slow_down":
                    self.interval += SLOW_DOWN_STEP
                    message = (f"slow_down: the provider asked to poll less often; now every {self.interval} s "
                               "(RFC 8628 §3.5).")
                else:
                    message = "authorization_pending: not approved yet; asking again after the interval."
                if last is not None:  # an expected answer, not a failure
                    last.outcome, last.error, last.hint, last.note = "warning", "", "", message
                notify(PollEvent("slow_down" if exc.error == "slow_down" else "pending", self.interval,
                                 self.seconds_left(), self.polls, message))
                return None
            if exc.error == "access_denied":
                raise DeviceAccessDenied(exc.message, status=exc.status, error=exc.error,
                                         description=exc.description, hint=DeviceAccessDenied.default_hint) from exc
            if exc.error == "expired_token":
                raise DeviceCodeExpired(exc.message, status=exc.status, error=exc.error,
                                        description=exc.description, hint=DeviceCodeExpired.default_hint) from exc
            raise
        self.token = token
        notify(PollEvent("approved", self.interval, self.seconds_left(), self.polls,
                         f"Approved: got a {token.token_type} token {token.masked} after {self.polls} poll(s)."))
        return token

    def __repr__(self) -> str:
        state = "not begun" if self.authorization is None else f"user_code={self.authorization.user_code!r}"
        return f"DeviceFlow({redact_url(self.config.device_authorization_url)!r}, {state}, polls={self.polls})"
