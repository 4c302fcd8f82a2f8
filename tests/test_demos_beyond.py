"""'Beyond the slides' demos in their fast modes: each asserts the point its figure makes."""
import numpy as np

from demos import adversarial


def test_fgsm_accuracy_falls_as_eps_grows(tmp_path):
    result = adversarial.main(["--fast", "--out", str(tmp_path)])
    accuracies = result["accuracies"]
    assert result["epsilons"][0] == 0.0 and accuracies[0] > 0.85   # a trained net, unattacked
    assert np.all(np.diff(accuracies) < 0)                        # every larger eps hurts more
    assert accuracies[0] - accuracies[-1] > 0.4                    # by a wide margin at eps = 0.2
    assert (tmp_path / "adversarial.png").read_bytes()[:4] == b"\x89PNG"


def test_fgsm_step_is_eps_in_sign_direction_and_stays_in_range():
    import tinygrad_edu as tg
    from tinygrad_edu.models import digits_convnet

    tg.manual_seed(0)
    model = digits_convnet()
    images = np.random.default_rng(0).random((5, 1, 8, 8)).astype(np.float32)
    attacked = adversarial.fgsm(model, images, np.arange(5), 0.1)
    change = attacked - images
    assert attacked.min() >= 0 and attacked.max() <= 1
    inside = (images > 0.1) & (images < 0.9)          # where clipping cannot bite
    assert np.allclose(np.abs(change[inside]), 0.1, atol=1e-6)


def test_word2vec_nearest_neighbours_come_from_the_planted_group(tmp_path):
    from demos import word2vec

    result = word2vec.main(["--fast", "--out", str(tmp_path)])
    assert result["losses"][-1] < result["losses"][0]
    assert result["same_group_fraction"] > 0.9   # chance is 5/29 = 17%
    assert (tmp_path / "word2vec.png").read_bytes()[:4] == b"\x89PNG"


def test_gan_samples_move_toward_the_mixture(tmp_path):
    from demos import gan

    result = gan.main(["--fast", "--out", str(tmp_path)])
    assert result["distance_start"] > 0.8                 # the untrained generator sits far from the modes
    assert result["distance_end"] < 0.5 * result["distance_start"]
    assert (tmp_path / "gan.png").read_bytes()[:4] == b"\x89PNG"


def test_distance_to_mixture_is_small_on_real_data_and_large_at_the_origin():
    from demos import gan

    real = gan.real_samples(2000, np.random.default_rng(0))
    assert abs(gan.distance_to_mixture(real) - gan.SPREAD * np.sqrt(np.pi / 2)) < 0.01
    assert abs(gan.distance_to_mixture(np.zeros((3, 2))) - np.sqrt(2)) < 1e-9


def test_reinforce_mean_reward_rises(tmp_path):
    from demos import reinforce

    result = reinforce.main(["--fast", "--out", str(tmp_path)])
    assert result["reward_start"] < 0.0                       # a random walk mostly falls in a pit or times out
    assert result["reward_end"] > result["reward_start"] + 1.0
    assert (tmp_path / "reinforce.png").read_bytes()[:4] == b"\x89PNG"


def test_grid_world_rules_and_returns_to_go():
    from demos import reinforce

    assert reinforce.step((0, 0), 2) == ((0, 0), -reinforce.STEP_COST, False)   # the wall keeps you in
    assert reinforce.step((4, 3), 0) == ((4, 4), 1.0, True)                    # the goal ends it, +1
    assert reinforce.step((2, 1), 0) == ((2, 2), -1.0, True)                   # a pit ends it, -1
    assert np.allclose(reinforce.returns_to_go(np.array([1.0, 2.0, 3.0])), [6.0, 5.0, 3.0])
