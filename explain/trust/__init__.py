"""How far to trust an explanation: stability, fidelity, deletion and insertion, randomisation.

    stability.py       LIME across seeds (Jaccard@k, Spearman), and the fidelity of its line
    curves.py          deletion and insertion curves, for any map
    randomization.py   does a map depend on the model? The randomisation check
"""
