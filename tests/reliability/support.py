from tests.support.reliability import *  # noqa: F401,F403 - old path, re-exported until a later pass removes it
