"""The toolkit's version, recorded in every run manifest and shown on the pages."""

__version__ = "0.1.0"
