"""The `wuyi` console script: Django's management commands under a shorter name.

`wuyi city generate --scale demo` runs the `city` command with `generate --scale demo`, and so on.
"""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wuyi.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv[1:] if argv is None else argv)
    execute_from_command_line(["wuyi", *args])


if __name__ == "__main__":
    main()
