"""The My digits tab: the user's saved digits, and adapting the network to them."""
