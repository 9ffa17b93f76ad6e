"""siman-hub: gather every Indonesian government agency's feed, dedupe and tag by national priority program,
and publish one static portal with re-exported feeds."""

__version__ = "0.1.0"
