"""LIME, one step of the algorithm per file (the lime package's API).

    base.py               the weighted linear surrogate, step by step, and lime's LimeBase
    distances.py          distances to the original, and the kernel that weighs them
    ridge.py              weighted ridge regression and its R^2
    feature_selection.py  the k features the surrogate may use
    checks.py             the classifier's answers and the arguments, checked at the door
    random_state.py       one Generator for every random draw
    segmentation.py       superpixels as features, labelled 0..d-1
    fills.py              what a hidden superpixel looks like: mean, constant or blur
    perturb_reference.py  all perturbed images: the loop, then one lookup (plain numpy)
    perturb.py            the same lookup compiled by Numba; sampling; batched predictions
    image.py              LimeImageExplainer and ImageExplanation
    text.py               LimeTextExplainer and TextExplanation
    text_page.py          the self-contained page that as_html writes
    plots.py              outlined superpixels, weight bars, highlighted words
"""
