"""``python -m mnist_pad``: the same as the ``mnist-pad`` command."""

import sys

from mnist_pad.app import main

sys.exit(main())
