"""Gradient and perturbation attributions, with captum's meanings.

    result.py      Attribution: the result type of every method
    gradients.py   saliency, SmoothGrad, Integrated Gradients, Grad-CAM, occlusion
"""
from .gradients import grad_cam, integrated_gradients, occlusion, saliency, smoothgrad
from .result import Attribution
