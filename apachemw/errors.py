"""Exceptions a user can cause: bad configuration, bad .htaccess."""

from __future__ import annotations

__all__ = ["ApacheMWError", "ConfigError"]


class ApacheMWError(Exception):
    """Base of every error apachemw raises on purpose."""


class ConfigError(ApacheMWError):
    """A configuration file Apache would refuse, located by file and line.

    ``str()`` gives Apache's wording: ``Syntax error on line N of FILE:`` then the
    message, so a user moving from Apache sees what ``apache2 -t`` would print.
    """

    def __init__(self, message: str, file: str = "", line: int = 0, directive: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line
        self.directive = directive

    def __str__(self) -> str:
        if not self.file:
            return self.message
        return f"AH00526: Syntax error on line {self.line} of {self.file}:\n{self.message}"
