"""aligna: an engine of alignment for organisations."""

__version__ = "0.1.0"
