"""The wolves-vs-huskies scenes: shapes, ranges, masks, snow rates, seeds; and the story end to end (--fast)."""
import json

import numpy as np
import pytest

from demos.wolves_vs_huskies.scenes import HUSKY, WOLF, background_bank, make_scenes


def test_shapes_ranges_and_types():
    scenes = make_scenes(12, size=32, seed=3)
    assert scenes.images.shape == (12, 3, 32, 32) and scenes.images.dtype == np.float32
    assert scenes.images.min() >= 0.0 and scenes.images.max() <= 1.0
    assert scenes.labels.shape == (12,) and set(scenes.labels) <= {WOLF, HUSKY}
    assert scenes.animal_masks.shape == (12, 32, 32) and scenes.animal_masks.dtype == bool
    assert scenes.snow.shape == (12,) and scenes.snow.dtype == bool


def test_masks_cover_the_animal_and_only_the_animal():
    scenes = make_scenes(40, seed=1)
    share = scenes.animal_masks.mean(axis=(1, 2))
    assert np.all((share > 0.03) & (share < 0.4))  # an animal in every scene, never the whole frame
    for image, mask, snow in zip(scenes.images, scenes.animal_masks, scenes.snow):
        fur, ground = image[:, mask], image[:, ~mask]
        if snow:  # snow is brighter than any fur, and the mask says exactly where the fur is
            assert ground.mean(axis=0).min() > fur.mean(axis=0).mean() + 0.2


def test_husky_face_and_belly_are_a_subtle_cue():
    scenes = make_scenes(200, seed=2)
    brightness = np.array([image[:, mask].mean() for image, mask in zip(scenes.images, scenes.animal_masks)])
    wolves, huskies = brightness[scenes.labels == WOLF], brightness[scenes.labels == HUSKY]
    assert 0.0 < abs(huskies.mean() - wolves.mean()) < 0.12


@pytest.mark.parametrize("p", [1.0, 0.95, 0.05])
def test_snow_rates_match_p_within_sampling_error(p):
    scenes = make_scenes(800, p_snow_given_wolf=p, size=16, seed=4)
    for label, expected in ((WOLF, p), (HUSKY, 1 - p)):
        snow = scenes.snow[scenes.labels == label]
        error = 4 * np.sqrt(max(expected * (1 - expected), 1e-4) / len(snow))  # four standard errors
        assert abs(snow.mean() - expected) <= error
    off_snow = scenes.backgrounds[~scenes.snow]
    assert set(off_snow) <= {"grass", "forest"} and set(scenes.backgrounds[scenes.snow]) == {"snow"}


def test_husky_rate_can_be_set_on_its_own():
    scenes = make_scenes(300, p_snow_given_wolf=1.0, p_snow_given_husky=1.0, size=16, seed=0)
    assert scenes.snow.all()


def test_the_same_seed_gives_the_same_scenes():
    first, again, other = make_scenes(8, seed=5), make_scenes(8, seed=5), make_scenes(8, seed=6)
    assert np.array_equal(first.images, again.images) and np.array_equal(first.animal_masks, again.animal_masks)
    assert not np.array_equal(first.images, other.images)


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="p_snow_given_wolf as a probability in \\[0, 1\\], got 1.5"):
        make_scenes(4, p_snow_given_wolf=1.5)
    with pytest.raises(ValueError, match="n as a positive integer, got 0"):
        make_scenes(0)
    with pytest.raises(ValueError, match="size as an integer >= 16, got 8"):
        make_scenes(4, size=8)


def test_background_bank_holds_each_kind_in_range():
    bank = background_bank(8, size=16, seed=0)
    assert bank.shape == (8, 3, 16, 16) and bank.dtype == np.float32
    assert bank.min() >= 0 and bank.max() <= 1
    assert bank[0].mean() > bank[1].mean() + 0.3  # snow is brighter than grass


def test_the_story_in_fast_mode_writes_every_file(tmp_path, capsys):
    import tinygrad_edu as tg
    from demos.wolves_vs_huskies import story
    from demos.wolves_vs_huskies.__main__ import main
    from demos.wolves_vs_huskies.model import convnet

    main(["--fast", "--quiet", "--seed", "3", "--out", str(tmp_path)])
    printed = capsys.readouterr().out
    assert "swapped test" in printed and str(tmp_path / "wolves_vs_huskies.html") in printed
    stored = json.loads((tmp_path / "wolves_vs_huskies.json").read_text())
    assert stored["seed"] == 3 and stored["runtime_s"] > 0
    for name in ("biased", "debiased"):
        numbers = stored["models"][name]
        assert set(numbers["accuracy"]) == {"biased_test", "swapped_test"}
        assert all(0 <= value <= 1 for value in numbers["accuracy"].values())
        assert 0 <= numbers["background_swap_kept"] <= 1
        assert set(numbers["enrichment"]) == {"lime", "gradcam", "ig", "occlusion"}
        for method in numbers["enrichment"].values():
            assert set(method) == {"mean", "sd", "n"} and method["n"] >= 1 and method["mean"] >= 0
        model = convnet()
        model.load_state_dict(tg.load(str(tmp_path / f"wolves_vs_huskies_{name}.npz")))
        # the checkpoint is the trained model: on the same test scenes it gives the stored accuracy
        swapped = story.make_data(story.SETTINGS["fast"], 3)["swapped_test"]
        predicted = story.predictions(model, swapped.images).argmax(axis=1)
        assert float(np.mean(predicted == swapped.labels)) == numbers["accuracy"]["swapped_test"]
    # the biased model learned the shortcut even in fast mode: it fails where the background lies
    assert stored["models"]["biased"]["accuracy"]["swapped_test"] < 0.5
    html = (tmp_path / "wolves_vs_huskies.html").read_text()
    assert html.lstrip().lower().startswith("<!doctype html") or "<html" in html.lower()
