"""Notebook 08's private_key_jwt and mutual TLS sections run headless and show no key material.

The demo writes the client's private key and certificate key to files and the notebook shows
their paths; neither key, nor a client assertion, may reach an output of the saved notebook.
(Where the notebook or those sections do not exist yet, this test skips.)
"""

import re
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "08-beyond-the-webhook.ipynb"
#: A line of a PEM body (64 base64 characters), or most of one.
PEM_LINE = re.compile(r"[A-Za-z0-9+/]{56,}")
COMPLETE_JWT = re.compile(r"eyJ[A-Za-z0-9_-]+\.eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{20,}")


def test_private_key_jwt_and_mtls_sections_run_and_show_no_key(tmp_path):
    if not NOTEBOOK.exists():
        pytest.skip("notebook 08 is not on this branch yet")
    nb = nbformat.read(NOTEBOOK, as_version=4)
    heading = next((c for c in nb.cells if c.cell_type == "markdown" and c.source.startswith("## private_key_jwt")), None)
    if heading is None or "Placeholder" in heading.source:
        pytest.skip("the private_key_jwt section is still a placeholder")
    nbclient.NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOK.parent)}}).execute()
    saved = tmp_path / "08.ipynb"
    nbformat.write(nb, saved)
    text = saved.read_text()

    def output_of(snippet):
        cell = next(c for c in nb.cells if c.cell_type == "code" and snippet in c.source)
        return nbformat.writes(nbformat.v4.new_notebook(cells=[cell]))

    assert "x5t#S256" in output_of("tls_token = ClientCredentialsFlow")
    assert "client-assertion-type:jwt-bearer" in output_of("key_token = ClientCredentialsFlow")
    assert "has expired" in output_of("issue_client_certificate(expired=True)")
    assert "good for one request" in output_of("client_assertion=lambda audience: once")
    assert "PRIVATE KEY" not in text
    assert not PEM_LINE.search(text), PEM_LINE.search(text)
    assert not COMPLETE_JWT.search(text)
