"""Configuration: YAML -> validated pydantic models, with ${ENV} expansion and durations."""

from app.config.loader import find_config, load_config, parse_config, user_config_path
from app.config.model import Config
from app.errors import ConfigError

__all__ = ["Config", "ConfigError", "find_config", "load_config", "parse_config", "user_config_path"]
