"""Chapter 6, files: writing atomically, checkpoints without pickle, real datasets.

    atomic.py      a reader sees the old file or the new one, never half of one
    checkpoint.py  tg.save / tg.load: .npz with a JSON manifest, nothing that can run code
    datasets.py    MNIST IDX files, IMDb-style review folders, GloVe vectors
"""
