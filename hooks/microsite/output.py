"""Where generated files may go: inside the site folder, and nowhere else."""

from __future__ import annotations

import os


def inside(folder: str, path: str) -> bool:
    """True if `path` lies strictly inside `folder` once both are resolved (`..`, absolute parts and links to
    elsewhere included): the check made before any generated file is written."""
    folder, path = os.path.realpath(folder), os.path.realpath(os.path.join(folder, path))
    return path != folder and os.path.commonpath([folder, path]) == folder
