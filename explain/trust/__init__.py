"""How far to trust an explanation: stability, fidelity, deletion and insertion, randomisation.

    quality.py         stability across seeds, fidelity, deletion/insertion curves
    randomization.py   does a map depend on the model? The randomisation check
"""
