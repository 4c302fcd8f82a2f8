"""explain/report/: the enrichment measure, the self-contained HTML, and the numbers behind it."""
import base64
import html
import io
import json
import os
import re
import shutil
import subprocess
import tempfile
from html.parser import HTMLParser

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest

import tinygrad_edu as tg
from explain.report import Report, explain_images, explanation_report, format_number, object_enrichment, verdict_sentences
from tests.report_models import tiny_convnet

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


# --------------------------------------------------------------------------- enrichment math

def test_uniform_map_has_enrichment_one():
    mask = np.zeros((10, 10), bool)
    mask[2:5, 3:9] = True
    assert object_enrichment(np.full((10, 10), 0.3), mask) == pytest.approx(1.0)


def test_all_mass_on_the_mask_gives_one_over_its_share():
    mask = np.zeros((8, 8), bool)
    mask[:2, :4] = True                      # 8 of 64 pixels: share 1/8
    heatmap = np.where(mask, np.arange(64).reshape(8, 8) + 1.0, 0.0)
    assert object_enrichment(heatmap, mask) == pytest.approx(8.0)


def test_all_mass_off_the_mask_gives_zero_and_half_mass_matches_the_formula():
    mask = np.zeros((4, 4), bool)
    mask[0, :] = True                        # share 1/4
    assert object_enrichment(np.where(mask, 0.0, 1.0), mask) == 0.0
    heatmap = np.where(mask, 3.0, 1.0)       # object mass 12 of 24 -> 0.5 / 0.25
    assert object_enrichment(heatmap, mask) == pytest.approx(2.0)


def test_enrichment_errors_name_the_problem():
    mask = np.ones((4, 4), bool)
    with pytest.raises(ValueError, match="non-negative"):
        object_enrichment(-np.ones((4, 4)), mask)
    with pytest.raises(ValueError, match="mask has shape"):
        object_enrichment(np.ones((4, 4)), np.ones((4, 5), bool))
    with pytest.raises(ValueError, match="boolean mask"):
        object_enrichment(np.ones((4, 4)), np.ones((4, 4)))
    with pytest.raises(ValueError, match="mask is empty"):
        object_enrichment(np.ones((4, 4)), np.zeros((4, 4), bool))
    assert np.isnan(object_enrichment(np.zeros((4, 4)), mask))


# --------------------------------------------------------------------------- the HTML page

class PageParser(HTMLParser):
    """Collects every tag's attributes, the inline CSS and the visible text."""

    def __init__(self):
        super().__init__()
        self.tags, self.text, self.styles, self._in_style = [], [], [], False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_style = tag == "style"

    def handle_endtag(self, tag):
        self._in_style = False

    def handle_data(self, data):
        (self.styles if self._in_style else self.text).append(data)


def parse(page):
    parser = PageParser()
    parser.feed(page)
    return parser


def check_self_contained(page):
    """Every <img> a decodable PNG data URI; no script, no http(s), no local reference."""
    parser = parse(page)
    images = [attrs for tag, attrs in parser.tags if tag == "img"]
    assert images, "the report has no figure"
    for attrs in images:
        src = attrs["src"]
        assert src.startswith("data:image/png;base64,")
        png = base64.b64decode(src.split(",", 1)[1], validate=True)
        assert png[:8] == PNG_SIGNATURE
        pixels = matplotlib.image.imread(io.BytesIO(png), format="png")
        assert pixels.ndim == 3 and min(pixels.shape[:2]) > 50
    assert not any(tag == "script" for tag, _ in parser.tags)
    assert not any(name.startswith("on") for _, attrs in parser.tags for name in attrs)
    for tag, attrs in parser.tags:
        for name in ("src", "href"):
            value = attrs.get(name)
            if value is not None:
                assert value.startswith(("data:image/png;base64,", "#")), (tag, name, value[:60])
    css = "".join(parser.styles)
    assert "url(" not in css and "@import" not in css
    assert not re.search(r"https?://", page)
    return parser


@pytest.fixture(scope="module")
def scenes():
    """Tiny 16x16 'scenes': a bright square object on a dark noisy background."""
    rng = np.random.default_rng(0)
    images = rng.uniform(0, 0.3, (6, 3, 16, 16)).astype(np.float32)
    masks = np.zeros((6, 16, 16), bool)
    for i in range(6):
        top, left = rng.integers(1, 8, size=2)
        masks[i, top:top + 7, left:left + 7] = True
        images[i][:, masks[i]] += 0.6
    return images, masks, np.array([0, 1, 0, 1, 0, 1])


@pytest.fixture(scope="module")
def small_report(scenes):
    images, masks, labels = scenes
    tg.manual_seed(0)
    models = {"first": tiny_convnet(), "second <b>&": tiny_convnet()}
    return explanation_report(models, images, ["wolf", "husky"], masks=masks, labels=labels,
                              methods=("lime",), lime_samples=40, lime_images=3, curve_images=2,
                              stability_images=1, randomization_images=2, chosen=[0, 1],
                              title="Test <report>", object_name="animal")


def test_report_html_is_self_contained_and_escaped(small_report):
    page = small_report.to_html()
    parser = check_self_contained(page)
    assert "Test &lt;report&gt;" in page and "<report>" not in page
    assert "second &lt;b&gt;&amp;" in page and "second <b>" not in page
    text = " ".join(parser.text)
    assert "Per-image explanations" in text and "Settings" in text


def _numbers(tree):
    """Every number in a JSON-able tree (bools and strings left out)."""
    if isinstance(tree, dict):
        for value in tree.values():
            yield from _numbers(value)
    elif isinstance(tree, list):
        for value in tree:
            yield from _numbers(value)
    elif isinstance(tree, (int, float)) and not isinstance(tree, bool):
        yield tree


def test_the_numbers_are_json_and_the_shown_ones_are_in_the_page(small_report):
    numbers = json.loads(json.dumps(small_report.numbers, allow_nan=False))
    page_text = " ".join(parse(small_report.to_html()).text)
    for name in ("first", "second <b>&"):
        quality = numbers["models"][name]["quality"]["lime"]
        assert quality["enrichment"]["n"] == 3
        for value in (quality["enrichment"]["mean"], quality["deletion_auc"]["mean"],
                      quality["insertion_auc"]["mean"], quality["stability"]["jaccard_top5"]["mean"],
                      quality["stability"]["spearman"]["mean"], quality["fidelity"]["weighted_r2"]["mean"],
                      numbers["models"][name]["accuracy"]["these images"]):
            assert format_number(value) in page_text
    # the other way round: every number in the tables and the verdict is one the JSON holds
    in_json = {format_number(v) for v in _numbers(numbers)}
    table_cells = re.findall(r'<td class="num">([^<]*)</td>', small_report.to_html())
    verdict = re.search(r'<div class="verdict">(.*?)</div>', small_report.to_html()).group(1)
    shown = [c for c in table_cells if c != "n/a"] + re.findall(r"\d+\.\d+", verdict)
    assert shown
    for value in shown:
        assert value in in_json, value


def test_write_is_atomic_and_leaves_nothing_when_it_fails(tmp_path, small_report, monkeypatch):
    path = tmp_path / "report.html"
    small_report.write(path)
    assert path.read_text(encoding="utf-8") == small_report.to_html()
    before = path.read_bytes()

    def broken_fsync(descriptor):
        raise OSError("disk full")
    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(OSError, match="disk full"):
        Report("new").write(path)
    assert path.read_bytes() == before                  # the old report is untouched
    assert sorted(os.listdir(tmp_path)) == ["report.html"]  # and no temporary file is left
    with pytest.raises(OSError, match="disk full"):
        Report("new").write(tmp_path / "fresh.html")
    assert sorted(os.listdir(tmp_path)) == ["report.html"]


def test_report_builder_pieces(tmp_path):
    report = Report("Pieces")
    report.section("Data", "intro <i>")
    figure, axis = plt.subplots()
    axis.plot([0, 1], [1, 0])
    report.figure(figure, "a line")
    report.table(["a", "b"], [[1, 0.123456], ["x<y", None]], caption="numbers")
    report.verdict("late verdict")
    page = report.to_html()
    assert page.index("late verdict") < page.index("Data")   # the verdict is always at the top
    assert "0.123" in page and "0.123456" not in page and "x&lt;y" in page and "n/a" in page
    with pytest.raises(ValueError, match="row has 1 cells"):
        report.table(["a", "b"], [[1]])
    with pytest.raises(ValueError, match="PNG bytes"):
        report.figure(b"GIF89a", "not a png")


def test_explain_images_targets_are_the_predictions(scenes):
    images, masks, _ = scenes
    tg.manual_seed(1)
    model = tiny_convnet()
    result = explain_images(model, images[:2], ["wolf", "husky"], masks=masks[:2], methods=("lime",),
                            lime_samples=30)
    logits = tg.predict(model, images[:2])
    np.testing.assert_array_equal(result["targets"], logits.argmax(axis=1))
    np.testing.assert_allclose(result["probabilities"].sum(axis=1), 1.0, rtol=1e-6)
    lime = result["methods"]["lime"]
    assert lime["heatmap"].shape == lime["mass"].shape == (2, 16, 16)
    assert (lime["mass"] >= 0).all() and np.allclose(lime["mass"], np.clip(lime["heatmap"], 0, None))
    expected = [object_enrichment(m, k) for m, k in zip(lime["mass"], masks[:2])]
    np.testing.assert_allclose(lime["enrichment"], expected)
    with pytest.raises(ValueError, match="unknown method"):
        explain_images(model, images[:1], ["wolf", "husky"], methods=("lime", "shap"))
    with pytest.raises(ValueError, match="the model gives 2 classes"):
        explain_images(model, images[:1], ["a", "b", "c"], methods=("lime",))


def test_the_settings_shown_are_the_ones_used(scenes):
    """curve_steps and stability_seeds reach the checks, the settings table and the page's text."""
    images, _, _ = scenes
    tg.manual_seed(0)
    report = explanation_report(tiny_convnet(), images[:2], ["wolf", "husky"], methods=("lime",), lime_samples=20,
                                curve_images=1, stability_images=1, randomization_images=1, curve_steps=7,
                                stability_seeds=3)
    settings = report.numbers["settings"]
    assert settings["lime"]["stability_seeds"] == 3 and settings["deletion_insertion"]["steps"] == 7
    assert report.numbers["models"]["model"]["quality"]["lime"]["stability"]["seeds"] == 3
    assert "across 3 seeds" in report.to_html()


def test_verdict_is_made_from_the_numbers():
    def model(lime, gradcam):
        return {"quality": {"lime": {"enrichment": {"mean": lime, "sd": 0.1, "n": 20}},
                            "gradcam": {"enrichment": {"mean": gradcam, "sd": 0.1, "n": 50}}}}
    sentences = verdict_sentences({"biased": model(0.64, 0.61), "debiased": model(2.43, 1.9)}, "animal")
    assert "biased\u201d relies on the background: LIME enrichment 0.64 (below 1" in sentences[0]
    assert "debiased\u201d looks at the animal: LIME enrichment 2.43 (above 1" in sentences[1]
    assert "0.64 (biased) \u2192 2.43 (debiased)" in sentences[2]
    assert "contradictory" in verdict_sentences({"m": model(0.5, 3.0)})[0]


@pytest.mark.skipif(shutil.which("chromium") is None and shutil.which("chromium-browser") is None,
                    reason="no headless Chromium on PATH")
def test_report_renders_in_a_real_browser(tmp_path, small_report):
    path = tmp_path / "report.html"
    small_report.write(path)
    screenshot = tmp_path / "shot.png"
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                        "--disable-component-update", "--disable-sync", "--no-first-run",
                        f"--user-data-dir={profile}", f"--screenshot={screenshot}", "--window-size=1000,1400",
                        path.as_uri()], check=True, timeout=120, capture_output=True)
    pixels = matplotlib.image.imread(screenshot)[..., :3]
    assert pixels.shape[:2] == (1400, 1000)
    not_white = (pixels < 0.9).any(axis=2).mean()
    assert pixels.std() > 0.05 and not_white > 0.05


def test_quality_of_a_method_that_ignores_the_model(scenes, monkeypatch):
    """A stand-in 'IG' whose map is the image itself: |a| mass, its deltas averaged, and it fails randomisation."""
    from explain.attributions.result import Attribution
    from explain.report import methods, quality_summary

    def image_as_map(model, x, target, **unused):
        x = np.asarray(x, dtype=np.float64)
        signs = np.where(np.arange(x.shape[1])[None, :, None, None] % 2 == 0, 1.0, -1.0)
        return Attribution(x * signs, "ig", np.broadcast_to(target, (len(x),)),
                           delta=np.linspace(-0.3, 0.1, len(x)))

    monkeypatch.setattr(methods, "integrated_gradients", image_as_map)   # the registry reads it at each call
    images, masks, _ = scenes
    tg.manual_seed(2)
    quality = quality_summary(tiny_convnet(), images[:3], ["wolf", "husky"], masks=masks[:3], methods=("ig",),
                              curve_images=1, randomization_images=2)["ig"]
    mass = np.abs(images[:3].astype(np.float64)).sum(axis=1)     # |a| summed over the channels
    expected = [object_enrichment(m, k) for m, k in zip(mass, masks[:3])]
    assert quality["enrichment"]["mean"] == pytest.approx(np.mean(expected), rel=5e-3)
    assert quality["enrichment"]["n"] == 3
    assert quality["ig_delta"] == {"mean_abs": pytest.approx(0.5 / 3, rel=5e-3),   # |-0.3|, |-0.1|, |0.1|
                                  "max_abs": pytest.approx(0.3), "n": 3}
    assert quality["randomization"]["passed"] is False
    assert all(c == pytest.approx(1.0) for c in quality["randomization"]["correlations"])
    sentences = verdict_sentences({"m": {"quality": {"ig": quality}}})
    assert "IG fails" in sentences[0]


MATHTEXT_NAME = "$\\notacommand$ and $x^2$ <b>"


def test_user_text_is_drawn_as_written_never_as_mathtext_and_escaped_in_the_page(scenes, monkeypatch):
    """A class, model, test set, file name or title with dollar signs: shown as written, not typeset or refused."""
    from explain.report import page as page_module
    drawn = []
    render = page_module.figure_png

    def record_then_render(figure, dpi=100):
        figure.canvas.draw()   # where mathtext is parsed: "\notacommand" stopped the whole report here
        drawn.extend(text for text in figure.findobj(matplotlib.text.Text) if MATHTEXT_NAME in text.get_text())
        return render(figure, dpi)

    monkeypatch.setattr(page_module, "figure_png", record_then_render)
    images, masks, labels = scenes
    tg.manual_seed(0)
    name = MATHTEXT_NAME
    classes = [f"A {name}", f"B {name}"]
    report = explanation_report({name: tiny_convnet()}, images, classes, masks=masks, labels=labels,
                                test_sets={name: (images, labels)}, methods=("lime",), lime_samples=20,
                                lime_images=2, curve_images=2, stability_images=1, randomization_images=2,
                                chosen=[0, 1], title=name, image_names=[f"{name}{i}.png" for i in range(6)])
    titles = {text.get_text() for text in drawn}
    assert any(title.startswith(f"{name}1.png\ntrue B {name}\npredicted ") for title in titles)   # a row's title
    assert any(title.startswith(f"LIME for ") and title.count(name) == 1 for title in titles)
    assert set(classes) <= titles                           # the confusion matrix's tick labels
    assert any(title.startswith(f"{name}: accuracy ") for title in titles)   # the test set's panel
    assert f"Randomisation check, model \u201c{name}\u201d" in titles
    assert drawn and not any(text.get_parse_math() for text in drawn)
    page = report.to_html()
    assert html.escape(MATHTEXT_NAME) in page and "<b>" not in page
