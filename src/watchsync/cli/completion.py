"""``watchsync completion bash|zsh|tcsh``: a shell completion script, generated from the parser by shtab."""

from __future__ import annotations

import argparse
from typing import Any

EXAMPLES = """examples:
  watchsync completion bash > ~/.local/share/bash-completion/completions/watchsync
  watchsync completion zsh > ~/.zfunc/_watchsync     # with fpath+=(~/.zfunc) in ~/.zshrc
"""


def register(commands: Any) -> None:
    """Add the ``completion`` command."""
    completion = commands.add_parser("completion", help="print a shell completion script (bash, zsh, tcsh)",
                                     epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    completion.add_argument("shell", choices=("bash", "zsh", "tcsh"))
    completion.set_defaults(handler=run_completion)


def run_completion(args: argparse.Namespace) -> int:
    import shtab

    from watchsync.cli import build_parser

    print(shtab.complete(build_parser(), shell=args.shell))
    return 0
