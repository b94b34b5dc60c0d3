# Shared fixtures: one global random seed (override with FASTREG_TEST_SEED to reproduce
# a failure or to explore other draws) and a generator derived from it for every test.
import os

import numpy as np
import pytest


def pytest_report_header(config):
    return f"fastreg tests: FASTREG_TEST_SEED={os.environ.get('FASTREG_TEST_SEED', '0')}"


@pytest.fixture
def global_random_seed():
    """The seed every random draw in a test derives from."""
    return int(os.environ.get("FASTREG_TEST_SEED", "0"))


@pytest.fixture
def rng(global_random_seed):
    """A NumPy Generator seeded from the global random seed."""
    return np.random.default_rng(global_random_seed)
