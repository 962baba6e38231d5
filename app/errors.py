"""Errors a user can act on: the CLI prints them as one line and exits 2."""


class WarroomError(Exception):
    """A problem with input or environment, explained in one line for a person."""

    exit_code = 2


class ConfigError(WarroomError):
    """The configuration file or an argument is invalid."""


class StoreError(WarroomError):
    """The incident store cannot be opened or written."""


class StoreUnreachable(StoreError):
    """The store cannot be reached just now (server down, network gone, connection lost,
    not answering in time): waiting and retrying with the same event ids is safe. Any other
    StoreError (bad credentials, no such database, a newer schema) needs a person."""


class IncidentNotFound(WarroomError):
    """No incident with that id, or no open incident where one is needed."""
