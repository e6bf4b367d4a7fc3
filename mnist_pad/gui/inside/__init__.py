"""The Inside tab: every layer's maps, evidence maps, the model card and where the network goes wrong."""
