"""The demos run offline and write what they promise (short settings, to keep the suite fast)."""
import numpy as np

from demos import main as main_job


def test_main_job_trains_prints_accuracy_and_saves_plot_and_weights(tmp_path, capsys):
    accuracy = main_job.main(["--epochs", "5", "--out", str(tmp_path)])
    assert accuracy > 0.9
    assert "test accuracy" in capsys.readouterr().out
    assert (tmp_path / "digits_history.png").read_bytes()[:4] == b"\x89PNG"
    assert (tmp_path / "digits_mlp.npz").exists()


def test_convnets_demo_filters_and_learned_features(tmp_path):
    from demos import convnets

    blurred, edges = convnets.apply_filters(np.eye(6), [convnets.BLUR, convnets.HORIZONTAL_EDGES])
    assert blurred[2, 2] == np.float32(3 / 9)          # three ones of the diagonal under the 3x3 box
    assert np.allclose(convnets.apply_filters(np.ones((5, 5)), [convnets.HORIZONTAL_EDGES])[0][1:-1, 1:-1], 0)
    assert convnets.main(out=str(tmp_path), epochs=4) > 0.85
    assert (tmp_path / "convolution_filters.png").exists() and (tmp_path / "convnet_features.png").exists()
