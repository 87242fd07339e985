"""The `mediane` console script: Django's management commands with dashed names.

`mediane import-territories` runs the `import_territories` command, `mediane serve` the `serve`
command, and so on; `mediane help` lists them all.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mediane.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else argv)
    if len(args) > 1 and not args[1].startswith("-"):
        args[1] = args[1].replace("-", "_")
    args[0] = "mediane"
    execute_from_command_line(args)


if __name__ == "__main__":
    main()
