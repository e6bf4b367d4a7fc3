"""The Train tab: settings, live curves and the result of a training run."""
