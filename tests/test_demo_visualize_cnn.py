"""demos.visualize_cnn runs offline in its fast mode and writes every figure it promises."""

from demos import visualize_cnn

FIGURES = ["activations", "filters_conv1", "filters_conv2", "patterns_conv2", "attributions", "randomization"]


def test_fast_mode_writes_every_figure_and_the_checks_come_out_right(tmp_path, capsys):
    results = visualize_cnn.main(["--fast", "--out", str(tmp_path)])
    for name in FIGURES:
        assert (tmp_path / f"visualize_cnn_{name}.png").read_bytes()[:4] == b"\x89PNG", name
    assert results["accuracy"] > 0.85
    checks = results["checks"]
    assert checks["saliency"].passed and checks["Grad-CAM"].passed and not checks["Sobel edges"].passed
    assert len(results["maps"]) == 6 and all(m.shape == (5, 8, 8) for m in results["maps"].values())
    for history in results["pattern_histories"].values():
        assert history[-1] > history[0]
    assert "randomisation check" in capsys.readouterr().out
