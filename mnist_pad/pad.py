"""The drawing pad's pen, shared by the canvas (Qt) and preprocessing (numpy). Imports nothing.

The pad is 1 x 1 in its own units. A digit drawn about 2/3 of the pad tall is
fitted into MNIST's 20 px box, so this pen maps to ~2.4 of 28 px; it is also the
smallest extent worth magnifying (``min_extent``). It lives here, not in
``preprocess``, so that the canvas can paint the window's first frame before
numpy is imported.
"""

PAD_PEN_WIDTH = 0.075
