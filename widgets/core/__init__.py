"""The core: configuration, the OAuth 2.0 flows, tokens, the transcript and masking.

Imports only the standard library, requests, oauthlib and requests-oauthlib (a test holds it
to that). Everything above it (``widgets.diagnose``, ``widgets.cli``, ``widgets.ui``) builds
on these modules; none of them is imported from here.
"""
