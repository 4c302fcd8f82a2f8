"""Gradient and perturbation attributions, with captum's meanings.

    result.py        Attribution: the result type of every method
    scores.py        the score S = f(x)[t] every method explains, its gradient, the shared checks
    gradients.py     saliency, SmoothGrad, Integrated Gradients
    gradcam.py       Grad-CAM, and the bilinear upsampling of its map
    perturbation.py  occlusion: forward passes only
"""
from .gradcam import grad_cam, upsample_bilinear
from .gradients import IG_METHODS, integrated_gradients, saliency, smoothgrad
from .perturbation import occlusion
from .result import Attribution
