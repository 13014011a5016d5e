"""fit-tool without its import side effect on the caller's logging.

``fit_tool.utils.logging`` calls ``logging.basicConfig`` when imported: a root handler appears in the
program that uses watchsync, and that program's own ``basicConfig`` then does nothing. A finder put at
the head of ``sys.meta_path`` loads an equivalent module instead (its ``FORMAT``, ``formatter`` and
``logger``, without the ``basicConfig``) when fit-tool first asks for it. Nothing more is imported
before that (``import watchsync`` stays light: no ``logging``, no ``importlib.abc``).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from importlib.machinery import ModuleSpec
from types import ModuleType
from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:
    from importlib.abc import Loader

MODULE = "fit_tool.utils.logging"
FORMAT = "%(asctime)s %(message)s"


class _QuietFitToolLogging:
    """Finder and loader of the one module, ``fit_tool.utils.logging``."""

    def find_spec(self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
                  ) -> ModuleSpec | None:
        return ModuleSpec(fullname, cast("Loader", self)) if fullname == MODULE else None

    def create_module(self, spec: ModuleSpec) -> ModuleType | None:
        return None  # the default module object

    def exec_module(self, module: ModuleType) -> None:
        import logging  # only now: fit-tool is being imported

        logger = logging.getLogger("fit_tool")
        logger.setLevel(logging.INFO)
        module.__dict__.update(FORMAT=FORMAT, formatter=logging.Formatter(FORMAT), logger=logger)


def install() -> None:
    """Put the finder first on ``sys.meta_path`` (once; a no-op once fit-tool's own module is loaded)."""
    if MODULE not in sys.modules and not any(isinstance(f, _QuietFitToolLogging) for f in sys.meta_path):
        sys.meta_path.insert(0, _QuietFitToolLogging())
