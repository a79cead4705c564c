"""The row helpers of the fast softmax and cross-entropy (nnlib/fast.py) must equal numpy's
own reductions; they still import from nnlib.functional, where they used to live."""

import numpy as np
import pytest

from nnlib import functional as F


@pytest.mark.parametrize("k", [1, 2, 3, 10, 16, 17, 40])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_row_max_and_row_sum_match_numpy(k, dtype):
    z = np.random.default_rng(k).normal(size=(7, k)).astype(dtype)
    m, s = F.row_max(z), F.row_sum(z)
    assert m.shape == s.shape == (7, 1)
    assert m.dtype == s.dtype == dtype
    np.testing.assert_array_equal(m, z.max(axis=1, keepdims=True))
    np.testing.assert_allclose(
        s, z.sum(axis=1, keepdims=True), rtol=1e-6 if dtype == np.float32 else 1e-12
    )


def test_row_max_does_not_modify_its_input_and_propagates_nan():
    z = np.array([[1.0, np.nan, 0.0], [3.0, 2.0, -1.0]])
    before = z.copy()
    m = F.row_max(z)
    np.testing.assert_array_equal(z, before)
    assert np.isnan(m[0, 0]) and m[1, 0] == 3.0
