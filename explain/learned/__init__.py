"""What a network learned: activations, filters, maximal-activation patterns (Chollet's plots).

    activations.py   every layer's feature maps, the filters, and inputs that excite one channel
"""
