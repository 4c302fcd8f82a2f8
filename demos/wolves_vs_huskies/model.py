"""The classifier: a small convnet for 64x64 colour scenes.

    (N, 3, 64, 64) -> conv 3->16 (3x3) -> ReLU -> max-pool 2 -> conv 16->32 (3x3) -> ReLU -> max-pool 2
                   -> flatten (32 * 16 * 16) -> linear -> 2 logits (wolf, husky)

Two convolutions see patches of at most 10x10 pixels before the linear head
adds them up, so the model can use the fur as easily as the snow; which one it
uses is up to the data. Grad-CAM explains the last convolution (index 3).

Read next: __main__.py (the story: train, catch the shortcut, fix it).
"""
from tinygrad_edu import nn

SIZE = 64


def convnet(classes=2):
    """The untrained model; each checkpoint loads with convnet().load_state_dict(tg.load(path))."""
    return nn.Sequential(
        nn.Conv2d(3, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(32 * (SIZE // 4) * (SIZE // 4), classes),
    )
