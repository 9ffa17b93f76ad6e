"""feeds.yaml: the one place editors configure a hub."""

from .load import ConfigError, ConfigIssue, load_config
from .model import Config, Program, SiteConfig, Source

__all__ = ["Config", "ConfigError", "ConfigIssue", "Program", "SiteConfig", "Source", "load_config"]
