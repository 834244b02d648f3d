import pytest

from widgets.demo import DemoProvider


@pytest.fixture
def provider():
    with DemoProvider() as running:
        yield running
    # The provider answers an unexpected exception with a 500 and notes its class.
    assert not running._internal_errors, running._internal_errors
