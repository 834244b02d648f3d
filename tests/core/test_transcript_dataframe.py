"""The transcript's DataFrame keeps HTTP statuses as integers, a missing one as <NA>."""

from widgets import Transcript


def test_status_is_a_nullable_integer_column():
    transcript = Transcript()
    transcript.record("a request", method="POST", url="http://127.0.0.1/token", status=401)
    transcript.record("a pasted redirect", outcome="refused")
    frame = transcript.to_dataframe()
    assert str(frame["status"].dtype) == "Int64"
    assert frame["status"].iloc[0] == 401 and frame["status"].isna().iloc[1]
    assert "401.0" not in frame.to_string() and "NaN" not in frame.to_string()
    assert "401.0" not in frame.to_html()
