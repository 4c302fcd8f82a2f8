"""A declared layout is checked against the shape: a swapped NCHW/NHWC is refused with both readings."""
import re

import numpy as np
import pytest

from augment import Compose, RandomRotation, preview


def refused(message):
    return pytest.raises(ValueError, match="^" + re.escape(message) + "$")


def test_an_nchw_batch_declared_nhwc_shows_both_readings():
    with refused("images of shape (8, 3, 28, 28) declared NHWC: N=8, H=3, W=28, C=28 channels: implausible "
                 "(images have 1, 3 or 4 channels, and no more channels than rows or columns); read as NCHW it "
                 "would be N=8, C=3 channels, H=28, W=28, plausible: declare layout='NCHW' if that is what "
                 "you have"):
        Compose([RandomRotation(10)], layout="NHWC")(np.zeros((8, 3, 28, 28)), 0)


def test_an_nhwc_batch_taken_for_the_default_nchw_shows_both_readings():
    with refused("images of shape (8, 28, 28, 3) declared NCHW: N=8, C=28 channels, H=28, W=3: implausible "
                 "(images have 1, 3 or 4 channels, and no more channels than rows or columns); read as NHWC it "
                 "would be N=8, H=28, W=28, C=3 channels, plausible: declare layout='NHWC' if that is what "
                 "you have"):
        RandomRotation(10)(np.zeros((8, 28, 28, 3)), 0)


def test_a_single_hwc_image_declared_chw_shows_both_readings():
    with refused("images of shape (28, 28, 1) declared CHW: C=28 channels, H=28, W=1: implausible "
                 "(images have 1, 3 or 4 channels, and no more channels than rows or columns); read as HWC it "
                 "would be H=28, W=28, C=1 channel, plausible: declare layout='HWC' if that is what you have"):
        RandomRotation(10)(np.zeros((28, 28, 1)), 0, layout="CHW")


def test_a_channel_count_other_than_1_3_or_4_is_refused_even_when_the_swap_does_not_help():
    with pytest.raises(ValueError, match=re.escape(
            "declared NCHW: N=8, C=2 channels, H=28, W=28: implausible (images have 1, 3 or 4 channels, "
            "and no more channels than rows or columns); read as NHWC it would be N=8, H=2, W=28, "
            "C=28 channels, implausible too")):
        RandomRotation(10)(np.zeros((8, 2, 28, 28)), 0)


def test_more_channels_than_rows_or_columns_is_refused():
    with pytest.raises(ValueError, match=re.escape("N=8, C=3 channels, H=2, W=2: implausible")):
        RandomRotation(10)(np.zeros((8, 3, 2, 2)), 0)


def test_plausible_declarations_pass_and_preview_checks_them_too():
    rgba = np.random.default_rng(0).random((2, 4, 6, 6))
    assert RandomRotation(10)(rgba, 0).shape == (2, 4, 6, 6)
    assert RandomRotation(10)(rgba.transpose(0, 2, 3, 1), 0, layout="NHWC").shape == (2, 6, 6, 4)
    with pytest.raises(ValueError, match=re.escape("read as NCHW it would be N=2, C=4 channels, H=6, W=6")):
        preview(Compose([RandomRotation(10)], layout="NHWC"), rgba, n=2)
