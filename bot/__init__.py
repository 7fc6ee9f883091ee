"""The assistant's runtime: NLU components, channels, storage and settings. Nothing runs at import."""
