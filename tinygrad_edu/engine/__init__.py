"""Chapter 1, the engine: reverse-mode autodiff, first over scalars, then over arrays.

    autograd.py     the one backprop routine (topological sort, chain rule) and the Node protocol
    value.py        Value: micrograd-sized scalar autodiff, and a tiny MLP
    draw_graph.py   a picture of a Value's graph, with every data and grad
    tensor.py       Tensor: the same idea over numpy arrays; broadcasting and unbroadcast
    elementwise.py, matmul.py, reductions.py, shape.py: the ops, one family per file
    inplace.py      in-place edits, and the version counter that keeps backward honest
    derivatives.py  every op's forward and local derivative on one page (tested against the code)
    gradcheck.py    every gradient checked against central differences
    gradcheck_advice.py  why a check failed in float32: the op or layer to convert to float64
    rng.py          the seeded generator that init, dropout and sampling draw from
"""
