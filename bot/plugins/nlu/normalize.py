"""Text normalisation that keeps every character at its index (entity offsets stay valid).

Traditional → simplified characters, full-width ASCII and digits → half-width, ideographic
space → space. The same function the answer core uses (``policies.text.normalize``).
"""

from policies.text import normalize

__all__ = ["normalize"]
