"""tools/docs_outputs.py as a module (tools/ is not a package)."""
from __future__ import annotations

import importlib.util
import sys

from flows.config import PROJECT_ROOT

NAME = "newsflow_docs_outputs"


def docs_outputs():
    if NAME not in sys.modules:
        spec = importlib.util.spec_from_file_location(NAME, PROJECT_ROOT / "tools" / "docs_outputs.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[NAME] = module  # dataclasses look their module up here
        spec.loader.exec_module(module)
    return sys.modules[NAME]
