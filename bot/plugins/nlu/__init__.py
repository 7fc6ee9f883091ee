"""Custom NLU pieces: the text normaliser component and the builder of NLU resources."""
