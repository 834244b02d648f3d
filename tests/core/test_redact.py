"""Masking helpers: the by-value index, the name checks in front of the substitutions, and
the shortcut for form bodies that name no secret."""

import base64
import json
import secrets

from widgets.core import redact
from widgets.core.redact import redact_body, remember, scrub


def _jwt_like(header: dict) -> str:
    def part(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    return ".".join((part(json.dumps(header).encode()), part(secrets.token_bytes(48)), part(secrets.token_bytes(64))))


def test_tokens_sharing_a_jwt_header_are_not_all_candidates_for_every_text():
    header = {"alg": "ES256", "kid": "test-redact-index", "typ": "JWT"}
    tokens = [_jwt_like(header) for _ in range(300)]
    remember(*tokens)
    # Every one of them starts with the same characters; indexed by those, a text holding
    # any JWT was compared with all 300. By their last characters, a key holds one or two.
    assert len({t[:12] for t in tokens}) == 1
    # Only this test's tokens count: the index is process-wide, and other tests' secrets may
    # share an ending with one of these by chance.
    ours = set(tokens)
    groups = [redact._by_suffix[key] for key in {t[-redact._MIN_REMEMBERED:] for t in tokens}]
    assert max(len(ours.intersection(group)) for group in groups) <= 3
    text = f"provider said: invalid token {tokens[123]} (expired)"
    masked = scrub(text)
    assert tokens[123] not in masked
    assert tokens[123][-4:] in masked  # masked as ****+last 4, not removed
    assert scrub("provider said: invalid token eyJhbGciOi (truncated)") == "provider said: invalid token eyJhbGciOi (truncated)"


def test_name_checks_fold_case_as_the_substitution_does():
    # "ſ" (long s) matches "s" in a case-insensitive pattern; lower() leaves it alone.
    assert "abcdef123" not in scrub("ſecret=abcdef123")
    assert "abcdef123" not in scrub("CLIENT_SECRET: abcdef123")
    assert "dXNlcjpwYXNz" not in scrub("sent BEARER dXNlcjpwYXNz")
    assert scrub("grant_type=client_credentials") == "grant_type=client_credentials"


def test_form_body_shortcut_still_masks_what_needs_masking():
    remember("remembered-form-secret-42")
    assert redact_body("grant_type=client_credentials", "application/x-www-form-urlencoded") == "grant_type=client_credentials"
    # a remembered value, with no secret name in sight
    assert "remembered-form-secret-42" not in redact_body("grant_type=x&note=remembered-form-secret-42",
                                                           "application/x-www-form-urlencoded")
    # names hidden by percent-encoding, and values hidden by '+' for a space, take the full path
    assert "s3cr3tvalue" not in redact_body("client%5Fsecret=s3cr3tvalue", "application/x-www-form-urlencoded")
    remember("two words secret")
    assert "words" not in redact_body("grant_type=x&note=two+words+secret", "application/x-www-form-urlencoded")


def test_a_short_text_is_checked_without_walking_every_remembered_secret(monkeypatch):
    # With many secrets remembered, a short text is looked up window by window; it must not
    # go through the whole index (set.intersection(dict) does), once per text scrubbed.
    class Index(dict):
        walks = 0

        def __iter__(self):
            Index.walks += 1
            return super().__iter__()

        def keys(self):
            Index.walks += 1
            return super().keys()

    index = Index({f"{n:06d}": [f"remembered-{n:06d}"] for n in range(500)})
    index["et-42!"] = ["remembered-secret-42!"]
    monkeypatch.setattr(redact, "_by_suffix", index)
    assert scrub("grant_type=client_credentials") == "grant_type=client_credentials"
    assert "remembered-secret-42!" not in scrub("note=remembered-secret-42!")
    assert Index.walks == 0


def test_a_remembered_secret_in_a_url_path_is_masked():
    # Slack-style webhook URLs carry their secret in the path; once the package has seen
    # that value as a secret (a token pasted, say), the path is masked too.
    remember("T0kenInThePath-77a1c9")
    for url in ("https://hooks.example.com/services/T0kenInThePath-77a1c9",
                "https://hooks.example.com/services/T0kenInThePath-77a1c9?channel=ops",
                "https://user@hooks.example.com/services/T0kenInThePath-77a1c9"):
        shown = redact.redact_url(url)
        assert "T0kenInThePath-77a1c9" not in shown and shown.endswith(("c9", "ops")), shown


def test_a_lone_surrogate_in_a_query_is_shown_not_raised():
    assert redact.redact_url("https://app.example/cb?code=abcdef&state=\ud800") == \
        "https://app.example/cb?code=****&state=%5Cud800"
    assert redact_body("note=\ud800&code=abcdef", "application/x-www-form-urlencoded") == "note=%5Cud800&code=****"
