import base64
import re
from urllib.parse import unquote_plus

import pytest

from widgets.core.headers import basic_authorization, bearer_authorization, client_secret_basic_authorization


def test_basic_matches_rfc7617_example():
    assert basic_authorization("Aladdin", "open sesame") == "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ=="


def test_basic_is_utf8_as_rfc7617_section_2_1():
    assert basic_authorization("test", "123\u00a3") == "Basic dGVzdDoxMjPCow=="


def test_basic_refuses_a_colon_in_the_user_id():
    with pytest.raises(ValueError):
        basic_authorization("a:b", "c")


def test_bearer():
    assert bearer_authorization("abc") == "Bearer abc"


@pytest.mark.parametrize("secret", ["a+b:c%d/e f", "pässwörd€", "plain", "=&?#", "~-._*"])
def test_client_secret_basic_form_encodes_before_base64(secret):
    header = client_secret_basic_authorization("my client:id", secret)
    decoded = base64.b64decode(header.split(" ", 1)[1]).decode("ascii")
    raw_id, raw_secret = decoded.split(":", 1)  # the first ':' separates: encoded parts have none
    assert unquote_plus(raw_id) == "my client:id"
    assert unquote_plus(raw_secret) == secret
    assert re.fullmatch(r"[A-Za-z0-9\-._~*%+]*", raw_secret), raw_secret


def test_client_secret_basic_escapes_plus_so_a_strict_server_does_not_read_a_space():
    decoded = base64.b64decode(client_secret_basic_authorization("id", "a+b").split(" ", 1)[1]).decode()
    assert decoded == "id:a%2Bb"
