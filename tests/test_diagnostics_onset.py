"""The fatigue onset shared by CTR, CPM and the hook rate, worked out by hand."""

import math

import numpy as np
import pytest

from metrics.diagnostics.ad_fatigue import _hinge_sse, hinge_onset, onset_profile

# Eight days: flat at 1, then a straight-line fall of 0.1 a day after day 4.
STRAIGHT = np.array([1, 1, 1, 1, 1, 0.9, 0.8, 0.7])


def _hinge(k: int, n: int = 8) -> np.ndarray:
    return np.maximum(np.arange(n) - k, 0.0)[None, :]


def test_hinge_sse_worked_out_by_hand():
    # Onset at day 4: h = 0,0,0,0,0,1,2,3 fits the straight line exactly.
    assert _hinge_sse(STRAIGHT, np.ones(8), _hinge(4))[0] == pytest.approx(0.0, abs=1e-12)
    # Onset at day 3: h = 0,0,0,0,1,2,3,4; Σh = 10, Σh² = 30, Σy = 7.4, Σhy = 8.0, so
    # b = (8·8 − 10·7.4) ÷ (8·30 − 10²) = −1/14 and a = (7.4 + 10/14) ÷ 8 = 1.0142857;
    # residuals −0.0142857 (×4), 0.0571429, 0.0285714, 0, −0.0285714: SSE = 0.04 ÷ 7.
    assert _hinge_sse(STRAIGHT, np.ones(8), _hinge(3))[0] == pytest.approx(0.04 / 7, rel=1e-9)
    # Weights count a day that many times: doubling every weight doubles the SSE.
    assert _hinge_sse(STRAIGHT, np.full(8, 2.0), _hinge(3))[0] == pytest.approx(0.08 / 7)


def test_onset_profile_averages_the_straight_and_compounding_shapes_by_hand():
    # z = y ÷ its mean 0.925. Straight shape: SSE(4) = 0 and SSE(3) = (0.04/7) ÷ 0.925² =
    # 0.0066785; its σ² is the floor 0.01² (the best fit is exact), so −2 log L = SSE ÷ 1e-4 +
    # 8 ln 1e-4: C at k = 4, C + 66.785 at k = 3. Compounding shape (ln z, same SSE as ln y):
    # SSE(4) = 2.487e-4 and SSE(3) = 9.221e-3 (least squares of 0,0,0,0,0, ln 0.9, ln 0.8,
    # ln 0.7 on the two hinges), σ² again the floor, plus the Jacobian 2·Σ ln z =
    # 2·(−0.68517 + 8·0.07796) = −0.1230: C + 2.364 at k = 4, C + 92.09 at k = 3. Averaged:
    # k = 4: C − 2 ln(1 + e^(−1.182)) = C − 0.535; k = 3: C + 66.785 (the other shape adds
    # nothing). Relative to the best: 0 at k = 4 and 66.785 + 0.535 = 67.32 at k = 3.
    total = onset_profile([(STRAIGHT, np.ones(8))], np.array([3, 4]))
    assert total[1] == 0.0
    assert total[0] == pytest.approx(67.32, abs=0.02)


def test_hinge_onset_shared_by_several_rates():
    t = np.arange(30)
    # CTR falls 2 % a day (compounding) after day 17; CPM rises by a straight 3 % of its level a
    # day after it; the hook rate never moves (a fixed series adds the same to every onset).
    ctr = 0.01 * 0.98 ** np.clip(t - 17, 0, None)
    cpm = 6.0 * (1 + 0.03 * np.clip(t - 17, 0, None))
    hook = np.full(30, 0.3)
    w = np.ones(30)
    assert hinge_onset([(ctr, w), (cpm, w), (hook, w)]) == 17
    # CTR alone and CPM alone agree.
    assert hinge_onset([(ctr, w)]) == 17
    assert hinge_onset([(cpm, w)]) == 17
    # Too short a history to place an onset.
    assert hinge_onset([(ctr[:7], w[:7])]) is None


def test_onset_profile_skips_a_series_without_six_usable_days():
    y = STRAIGHT.copy()
    rates = np.array([np.nan, np.nan, np.nan, 0.3, 0.0, np.nan, 0.2, np.nan])  # 3 usable days
    alone = onset_profile([(y, np.ones(8))], np.array([2, 3, 4]))
    both = onset_profile([(y, np.ones(8)), (rates, np.ones(8))], np.array([2, 3, 4]))
    assert np.allclose(alone, both)
    assert onset_profile([(rates, np.ones(8))], np.array([2, 3, 4])) is None
    assert math.isfinite(float(alone.max()))
