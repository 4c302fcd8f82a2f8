"""Chapter 5, training and its tools: the Keras-like loop, a model summary, curves.

    loop.py       fit / evaluate / predict, and the History that fit returns
    summary.py    a Keras-style table of layers, output shapes and parameter counts
    plotting.py   the loss and accuracy curves of a History
"""
from .loop import History, accuracy_counts, evaluate, fit, predict
