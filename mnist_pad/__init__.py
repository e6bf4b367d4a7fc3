"""mnist-pad: draw a digit and watch a Conv2D network recognise it.

The pure core (``preprocess``, ``predictor``, ``model_io``) imports no Qt; the
``gui`` package builds on it.
"""
