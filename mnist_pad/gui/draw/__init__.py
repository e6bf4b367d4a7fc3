"""The Draw tab: the pad, the live class bars, saving a drawing as one of my digits."""
