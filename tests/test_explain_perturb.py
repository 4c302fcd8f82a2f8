"""The fast perturbation kernel (explain/lime/perturb.py) against its reference (explain/lime/perturb_reference.py)."""
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from explain.lime.perturb import _perturbed_images_numba, perturbed_images
from explain.lime.perturb_reference import perturbed_images_lookup, perturbed_images_loop


def random_case(seed, height, width, channels, num_segments, num_samples, dtype):
    rng = np.random.default_rng(seed)
    image = (rng.random((height, width, channels)) * 255).astype(dtype)
    fill = (rng.random((height, width, channels)) * 255).astype(dtype)
    segments = rng.integers(0, num_segments, size=(height, width))
    samples = rng.integers(0, 2, size=(num_samples, num_segments), dtype=np.int8)
    return image, fill, segments, samples


@given(height=st.integers(2, 10), width=st.integers(2, 10), channels=st.sampled_from([1, 3, 4]),
       num_segments=st.integers(1, 7), num_samples=st.integers(1, 6), seed=st.integers(0, 10_000),
       dtype=st.sampled_from([np.uint8, np.int16, np.float32, np.float64]))
@settings(max_examples=60, deadline=None)
def test_numba_kernel_and_numpy_lookup_equal_the_reference_loop(height, width, channels, num_segments,
                                                                num_samples, seed, dtype):
    image, fill, segments, samples = random_case(seed, height, width, channels, num_segments, num_samples, dtype)
    expected = perturbed_images_loop(image, fill, segments, samples)
    np.testing.assert_array_equal(perturbed_images_lookup(image, fill, segments, samples), expected)
    compiled = _perturbed_images_numba(image, fill, segments.astype(np.int64), samples)
    assert compiled.dtype == expected.dtype and compiled.shape == (num_samples, height, width, channels)
    np.testing.assert_array_equal(compiled, expected)


def test_the_dispatcher_agrees_on_strided_inputs_and_other_dtypes():
    # the caller's arrays may be views (a crop, a channel flip) and of other integer and float types
    image, fill, segments, samples = random_case(3, 20, 24, 3, 9, 7, np.uint8)
    image_view, fill_view = image[2:18:2, ::-2, ::-1], fill[2:18:2, ::-2, ::-1].astype(np.float64)
    segments_view = segments[2:18:2, ::-2].astype(np.int32)
    samples_view = samples.astype(bool)[:, :]
    assert not image_view.flags.c_contiguous
    expected = perturbed_images_loop(image_view, fill_view.astype(np.uint8), segments_view, samples_view)
    result = perturbed_images(image_view, fill_view, segments_view, samples_view)
    assert result.dtype == np.uint8
    np.testing.assert_array_equal(result, expected)


def test_the_original_row_is_the_image_and_an_all_off_row_is_the_fill():
    image, fill, segments, _ = random_case(5, 6, 7, 3, 4, 1, np.float32)
    rows = np.array([[1, 1, 1, 1], [0, 0, 0, 0]], dtype=np.int8)
    batch = perturbed_images(image, fill, segments, rows)
    np.testing.assert_array_equal(batch[0], image)
    np.testing.assert_array_equal(batch[1], fill)

