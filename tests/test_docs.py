"""Meta-tests: every setting and every `mediane` command is documented.

They read the code (the settings module's `env*` calls, the management command files) and the
Markdown under docs/, and fail with the list of what is missing.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[1]
DOCS_DIR = PROJECT_DIR / "docs"
SETTINGS_FILE = PROJECT_DIR / "mediane" / "settings.py"
ENV_HELPERS = {"env", "env_bool", "env_int", "env_list"}
ENVIRON_GETTERS = {"os.environ.get", "os.getenv", "environ.get", "getenv"}
ENVIRON = {"os.environ", "environ"}


def _call_name(func: ast.expr) -> str:
    """Dotted name of a called function: `env`, `os.environ.get`, `os.getenv`."""
    parts = []
    while isinstance(func, ast.Attribute):
        parts.append(func.attr)
        func = func.value
    if isinstance(func, ast.Name):
        parts.append(func.id)
    return ".".join(reversed(parts))


def settings_environment_variables(source: str) -> set[str]:
    """Names of the environment variables read by a settings module.

    Recognises the project's `env*` helpers and the direct `os.environ.get(...)`,
    `os.getenv(...)` and `os.environ[...]` forms; ignores reads inside the helpers themselves,
    whose first argument is a parameter rather than a literal.
    """
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        arg: ast.expr | None = None
        if isinstance(node, ast.Call) and node.args:
            name = _call_name(node.func)
            if name in ENV_HELPERS or name in ENVIRON_GETTERS:
                arg = node.args[0]
        elif isinstance(node, ast.Subscript) and _call_name(node.value) in ENVIRON:
            arg = node.slice
        if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
            names.add(arg.value)
    return names


def documented_variables(markdown: str) -> set[str]:
    """Variables documented in docs/configuration.md: the first cell of each table row."""
    return set(re.findall(r"^\|\s*`([A-Z][A-Z0-9_]*)`\s*\|", markdown, flags=re.MULTILINE))


def project_commands() -> set[str]:
    """Management commands defined by Médiane's apps, in their `mediane` (dashed) spelling."""
    files = PROJECT_DIR.glob("mediane/*/management/commands/*.py")
    return {path.stem.replace("_", "-") for path in files if not path.stem.startswith("_")}


def documented_commands(markdown: str) -> set[str]:
    """Commands with a section in docs/cli.md: headings like "## `mediane import-territories`".

    The `mediane ` prefix and the backquotes are optional; prose headings start with a capital.
    """
    pattern = r"^#{2,4}\s+`?(?:mediane\s+)?([a-z][a-z0-9_-]*)"
    return {name.replace("_", "-") for name in re.findall(pattern, markdown, flags=re.MULTILINE)}


def test_settings_parser_finds_every_form():
    source = (
        "import os\n"
        "A = env('ONE')\nB = env_bool('TWO', False)\nC = env_int('THREE', 1)\n"
        "D = env_list('FOUR', '')\nE = os.environ.get('FIVE')\nF = os.getenv('SIX')\n"
        "G = os.environ['SEVEN']\n"
        "def env(name, default=''):\n    return os.environ.get(name, default)\n"
    )
    assert settings_environment_variables(source) == {
        "ONE",
        "TWO",
        "THREE",
        "FOUR",
        "FIVE",
        "SIX",
        "SEVEN",
    }


def test_command_headings_are_recognised():
    markdown = (
        "# Command line\n## Getting started\n## `mediane serve`\n### mediane import-territories\n"
        "## import_organisations\nmediane reindex in a sentence is not a section\n"
    )
    assert documented_commands(markdown) == {"serve", "import-territories", "import-organisations"}


def test_every_setting_is_documented():
    variables = settings_environment_variables(SETTINGS_FILE.read_text(encoding="utf-8"))
    assert "DATABASE_URL" in variables  # the parser still sees the settings module's reads
    documented = documented_variables((DOCS_DIR / "configuration.md").read_text(encoding="utf-8"))
    missing = sorted(variables - documented)
    assert not missing, (
        "Environment variables read by mediane/settings.py but not documented in "
        f"docs/configuration.md (add a table row starting with `NAME`): {', '.join(missing)}"
    )


def test_configuration_documents_no_stale_variable():
    variables = settings_environment_variables(SETTINGS_FILE.read_text(encoding="utf-8"))
    documented = documented_variables((DOCS_DIR / "configuration.md").read_text(encoding="utf-8"))
    stale = sorted(documented - variables)
    assert not stale, (
        f"docs/configuration.md documents variables that mediane/settings.py no longer reads: "
        f"{', '.join(stale)}"
    )


def test_every_command_is_documented():
    documented = documented_commands((DOCS_DIR / "cli.md").read_text(encoding="utf-8"))
    missing = sorted(project_commands() - documented)
    assert not missing, (
        "Management commands without a section in docs/cli.md (add a heading "
        f"'## `mediane NAME`'): {', '.join(missing)}"
    )


def test_documented_commands_exist():
    """A documented command is a Médiane command or one of Django's (migrate, createsuperuser…)."""
    from django.core.management import get_commands

    existing = {name.replace("_", "-") for name in get_commands()}
    documented = documented_commands((DOCS_DIR / "cli.md").read_text(encoding="utf-8"))
    unknown = sorted(documented - existing)
    assert not unknown, f"docs/cli.md documents commands that do not exist: {', '.join(unknown)}"
