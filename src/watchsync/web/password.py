"""``watchsync config password`` (or ``python -m watchsync.web.password``): ask for a dashboard password
twice, print its hash for ``[web]``."""

from __future__ import annotations

import getpass
import sys

from watchsync.web.auth import hash_password

MIN_LENGTH = 10


def main() -> int:
    """Print ``password_hash = "scrypt$..."``; the password is read without echo and never printed."""
    first = getpass.getpass("dashboard password: ")
    if len(first) < MIN_LENGTH:
        print(f"too short: use at least {MIN_LENGTH} characters", file=sys.stderr)
        return 2
    if getpass.getpass("again: ") != first:
        print("the two passwords differ", file=sys.stderr)
        return 2
    print(f'password_hash = "{hash_password(first)}"')
    return 0


if __name__ == "__main__":
    try:
        raise SystemExit(main())
    except (EOFError, KeyboardInterrupt):  # no terminal, or Ctrl-C: a line, never a traceback
        print("no password given", file=sys.stderr)
        raise SystemExit(2) from None
