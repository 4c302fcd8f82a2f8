"""Demos that reproduce the deep-learning lecture, offline, in its order.

The table in README.md maps each block of slides to its script, command and
figure. Every script runs as ``python -m demos.NAME [--fast] [--out DIR]``,
prints what it shows and writes its figures to out/:

    function_approximation   the slide's one- and two-layer nets; depth and curve fitting
    convolution              kernels on a photo, a conv layer, max pooling and shifts
    convnets                 a trained convnet's filters and feature maps
    digits                   dense vs convnet on digits anywhere on a 28x28 canvas (--mnist DIR)
    rnn_sentiment            bag of words, 1-D CNN, SimpleRNN, LSTM, GRU on reviews (--glove FILE, --imdb DIR)
    gradient_descent         the skier and local minima; optimizers on a 2-D surface
    batch_size               SGD, mini-batches and the full batch
    wolves_vs_huskies        a classifier that learned snow, caught by LIME
    augmentation             label-safe augmentation; why 180 degrees turns a 6 into a 9
    augmentation_six_vs_nine an audit of a trained model on rotated test digits
    fine_tuning              a new final layer on frozen convolutions
    main                     the main job: an MLP on the 8x8 digits (make demo)

demos/common.py holds what they share (the command line, the shifted digits).
"""
