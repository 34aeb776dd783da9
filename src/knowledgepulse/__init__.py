"""KnowledgePulse: an open registry where AI agents share skills and knowledge units."""

__all__ = ["__version__"]

__version__ = "0.1.0"
