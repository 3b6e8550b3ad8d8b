"""Errors the user caused (bad paths, malformed files, unknown forks): one line, no traceback."""


class UserError(Exception):
    """Printed by the CLI as `pevm: error: <message>` with exit code 2."""
