import numpy as np
import pytest

from geo.apportion import apportion


def test_sums_exactly_and_stays_within_one_of_quota():
    rng = np.random.default_rng(1)
    for _ in range(200):
        w = rng.random(rng.integers(1, 50))
        total = int(rng.integers(0, 100_000))
        shares = apportion(total, w)
        assert shares.sum() == total
        quota = total * w / w.sum()
        assert np.all(np.abs(shares - quota) < 1)


def test_known_split():
    # quotas 3.33, 3.33, 3.33 -> the first index wins the leftover unit
    assert apportion(10, [1, 1, 1]).tolist() == [4, 3, 3]
    assert apportion(7, [0, 2, 5]).tolist() == [0, 2, 5]


def test_nesting_under_integer_weights():
    upper = np.array([3, 1, 0, 7, 2])
    lower = apportion(9, upper)
    assert (lower <= upper).all() and lower.sum() == 9


def test_rejects_bad_input():
    with pytest.raises(ValueError):
        apportion(5, [0, 0])
    with pytest.raises(ValueError):
        apportion(-1, [1])
