"""Demos that reproduce the deep-learning lecture, offline, in its order.

    python -m demos.main                        the main job: an MLP on the 8x8 digits
    python -m demos.convnets                    convolution as a sliding dot product; a convnet's filters
    python -m demos.rnn_sentiment               Embedding -> LSTM on movie reviews (--imdb, --glove for real data)
    python -m demos.augmentation_six_vs_nine    label-safe augmentation: why 180 degrees turns a 6 into a 9
    python -m demos.wolves_vs_huskies           a classifier that learned snow, caught by LIME

Each writes its pictures to out/.
"""
