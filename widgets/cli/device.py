"""``python -m widgets device``: the device authorization grant (RFC 8628) at the terminal.

It asks the provider for a code, prints it big with the verification address (and, with
``--qr``, a QR code of ``verification_uri_complete`` when segno is installed), then polls as
the provider says until someone approves, denies, or the code expires. The progress goes to
standard output (standard error with ``--json``, whose document on stdout is the token).

Teaching only: a webhook cannot run this grant; ``--paste-ready`` shows its token as a Token.
"""

from __future__ import annotations

from ..core.config import AuthType
from ..core.durations import format_duration
from ..core.errors import ConfigError
from ..core.transcript import Transcript
from .exits import EXIT_OK
from .output import _Out

__all__ = ["add_parser", "big_code"]


def add_parser(add, parents: list, *, seconds) -> None:
    """Add the ``device`` command with ``add(name, help, parents)`` (see :func:`~.parser.build_parser`);
    ``seconds`` is the parser's type for a number of seconds."""
    p = add("device", "get a token with the device grant (RFC 8628): show a code, poll until it is approved",
            parents)
    p.add_argument("--device-url", help="device authorization endpoint (default: from --issuer's metadata)")
    p.add_argument("--wait", type=seconds, default=None,
                   help="stop polling after this many seconds (default: until the code expires)")
    p.add_argument("--qr", action="store_true", help="also print a QR code of the verification address (segno)")
    p.add_argument("--paste-ready", action="store_true", help="also print the token as a Token webhook's fields")
    p.set_defaults(handler=_cmd_device)


def big_code(code: str) -> str:
    """The user code boxed and letter-spaced, so it reads across a room (plain text)."""
    spaced = " ".join(code)
    width = len(spaced) + 6
    return "\n".join(["  ┏" + "━" * width + "┓", f"  ┃   {spaced}   ┃", "  ┗" + "━" * width + "┛"])


def _qr_text(url: str) -> str | None:
    try:
        import segno  # the ui extra installs it; the command works without
    except ImportError:
        return None
    import io

    buffer = io.StringIO()
    segno.make(url, error="m").terminal(out=buffer, compact=True)
    return buffer.getvalue()


def _cmd_device(args, out: _Out, transcript: Transcript) -> int:
    from ..core.device import DeviceFlow
    from .commands import _config, _finish_with_token

    config, metadata = _config(args, out, AuthType.DEVICE, transcript,
                               discover_always=bool(args.issuer) and not args.device_url)
    url = args.device_url or (metadata.device_authorization_endpoint if metadata is not None else "")
    if not url:
        raise ConfigError({"device_authorization_url": [
            "give --device-url, or --issuer of a provider whose metadata lists device_authorization_endpoint"]},
            hint="The provider may not offer the device grant; its documentation says whether it does.")
    config = config.replace(device_authorization_url=url)
    flow = DeviceFlow(config, transcript)
    authorization = flow.begin()
    lines = [f"On a phone or any browser, open:\n\n  {authorization.verification_uri}\n\nand type in the code shown below (RFC 8628 §3.3)\n",
             big_code(authorization.user_code)]
    if authorization.verification_uri_complete:
        lines.append(f"\nor open this address, which carries the code already\n  {authorization.verification_uri_complete}")
    if args.qr:
        qr = _qr_text(authorization.link)
        lines.append("\n" + qr if qr else "\n(--qr needs segno: pip install 'webhook-oauth-lab[ui]')")
    lines.append(f"\nThe code expires in {format_duration(authorization.expires_in)}; asking the token endpoint "
                 f"every {authorization.interval} s until it is approved (Ctrl-C to stop).")
    lines += [f"note: {n}" for n in authorization.notes]
    out.info("\n".join(lines))

    def show(event) -> None:
        if event.kind != "waiting":
            out.info(f"  poll {event.polls}: {event.message}")

    token = flow.poll(timeout=args.wait, on_event=show)
    _finish_with_token(args, out, config, token,
                       f"Token from {config.token_url} (device grant, after {flow.polls} poll(s))")
    return EXIT_OK
