"""What a network learned: activations, filters, maximal-activation patterns (Chollet's plots).

    activations.py   every layer's feature maps, in Chollet's display
    filters.py       the first layer's weights as small images
    patterns.py      the input that excites one channel most, by gradient ascent
"""
