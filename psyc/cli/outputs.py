"""Output files of the CLI under one overwrite rule: psyc replaces only files it wrote
itself for the same program, and says so; anything else needs ``--force``.

"Wrote itself" is checked, not guessed: every file a command writes is recorded in a
``.psyc-outputs.json`` next to it (by file name, so a moved folder keeps its record) with
the program it belongs to and the SHA-256 of its contents. A file at an output path is replaced silently-but-said when its record
names this program and its contents are unchanged since psyc wrote it; a file the user
edited, a file of another program, or a file psyc never wrote is refused (E0800). A
folder named with ``-o`` must exist (E0801); psyc creates only its own ``target/``.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING

from psyc.util.diagnostics import CompileError, Diagnostic

if TYPE_CHECKING:
    from psyc.project.manifest import Project

RECORD = ".psyc-outputs.json"


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def output_error(code: str, message: str, notes: list[str]) -> CompileError:
    return CompileError([Diagnostic("error", code, message, [], notes)])


class OutputFiles:
    """The files one command writes for ``project``; :meth:`write` applies the rule."""

    def __init__(self, project: Project, force: bool = False) -> None:
        self.force = force
        self.program = str(Path(project.main_file).resolve())
        self.notes: list[str] = []  # "replaced …" lines for the user
        self._records: dict[Path, dict[str, dict]] = {}

    def _record(self, folder: Path) -> dict[str, dict]:
        folder = folder.resolve()
        if folder not in self._records:
            try:
                record = json.loads((folder / RECORD).read_text())
            except (OSError, ValueError):
                record = {}
            self._records[folder] = record if isinstance(record, dict) else {}
        return self._records[folder]

    def folder(self, path: Path, named_by_user: bool) -> Path:
        """The folder ``path`` goes in: psyc's own ``target/`` is created; a folder the user
        named must exist (a typo in ``-o`` would otherwise scatter files)."""
        path = Path(path)
        if not path.exists():
            if named_by_user:
                raise output_error(
                    "E0801",
                    f"the output folder {path} does not exist",
                    ["create it first, or leave out -o to write to the project's target/ folder"],
                )
            path.mkdir(parents=True, exist_ok=True)
        elif not path.is_dir():
            raise output_error("E0801", f"{path} is not a folder", ["name a folder with -o"])
        return path

    def check(self, path: Path) -> None:
        """Raise E0800 unless ``path`` is free or may be replaced (see the module doc)."""
        path = Path(path)
        if not path.exists() or self.force:
            return
        if path.is_dir():
            raise output_error("E0800", f"refusing to overwrite {path}: it is a folder", ["choose another path"])
        entry = self._record(path.parent).get(path.name)
        if entry is None:
            why = "psyc did not write it"
        elif entry.get("program") != self.program:
            why = f"psyc wrote it for another program ({entry.get('program')})"
        elif entry.get("sha256") != _digest(path.read_bytes()):
            why = "it was changed after psyc wrote it"
        else:
            return
        raise output_error(
            "E0800",
            f"refusing to overwrite {path}: {why}",
            ["choose another path with -o, or pass --force to replace it"],
        )

    def write(self, path: Path, data: bytes | str) -> Path:
        """Write ``data`` to ``path`` (after :meth:`check`) and record it."""
        path = Path(path)
        self.check(path)
        blob = data.encode() if isinstance(data, str) else data
        if path.exists():
            self.notes.append(f"replaced {path} (written earlier by psyc for this program)")
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_bytes(blob)
        os.replace(tmp, path)  # a killed process leaves the old file or the new one, never half
        record = self._record(path.parent)
        record[path.name] = {"program": self.program, "sha256": _digest(blob)}
        record_path = path.parent / RECORD
        tmp = record_path.with_name(RECORD + ".tmp")
        tmp.write_text(json.dumps(record, indent=1, sort_keys=True) + "\n")
        os.replace(tmp, record_path)
        return path
