"""``psyc new NAME``: a new project (psy.toml, src/main.psy with a test, inputs.toml)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from psyc.cli.common import EXIT_OK, add_json, ok, user_errors

HELP = "create a new project: psy.toml, src/main.psy (with a test) and inputs.toml"


def register(p: argparse.ArgumentParser) -> None:
    p.add_argument("name", help="folder to create (its name is the package name unless --name)")
    p.add_argument("--name", dest="package", help="package name, if different from the folder")
    add_json(p, "the created files")


@user_errors
def run(args: argparse.Namespace, ctx: dict) -> int:
    from psyc.project.scaffold import new_project

    created = new_project(Path(args.name), args.package)
    ok(f"created project `{args.package or Path(args.name).name}`:")
    for path in created:
        ok(f"  {path}")
    ok(f"next: cd {args.name} && psyc test && psyc prove")
    if args.json:
        print(json.dumps({"project": args.package or Path(args.name).name, "files": [str(p) for p in created]}))
    return EXIT_OK
