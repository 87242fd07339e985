"""Every French message the services, views, API, forms and selectors show goes through gettext.

The source of each app's `services`, `views`, `api`, `forms` and `selectors` modules (and their
`views_*`/`forms_*` parts) is parsed, and a string literal written in French (an accented letter,
French quotes or apostrophe) that reaches the user without `_()` is reported where it is:

- an argument of an exception raised or built (`ValidationFailed(...)`, `Conflict(...)`,
  `IncubationNotFound(...)`, any `*Error(`, `*Failed(`, `*NotFound(`), of `HttpResponse*(`,
  of `messages.success/error/info/warning(` and of `form.add_error(`;
- a field error (`field_errors={...: ["..."]}`, `errors[field] = ["..."]`,
  `errors.setdefault(field, []).append("...")`);
- a value under the key "message", "detail" or "error" of a dict;
- the `title=` of a notification (`notify(`, `_announce(`).

A literal counts as written here when it is the expression itself, an f-string, or the left or
right side of `%`/`+`, or a branch of a conditional expression; `_("... %(name)s") % {...}` is
fine. Docstrings, logging calls and comments are never messages and are not looked at.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2] / "mediane"
KINDS = ("services", "views", "api", "forms", "selectors")
FRENCH = re.compile(r"[àâäçéèêëîïôöùûüÿœæÀÂÄÇÉÈÊËÎÏÔÖÙÛÜŸŒÆ«»’]")
MESSAGE_KEYS = {"message", "detail", "error"}
MESSAGE_FUNCTIONS = {"success", "error", "info", "warning", "debug", "add_message"}
EXCEPTION_SUFFIXES = ("Error", "Failed", "NotFound", "Denied", "Exception")
EXCEPTIONS = {"Conflict", "Http404", "SuspiciousOperation"}


def modules(root: Path = ROOT) -> list[Path]:
    """The checked modules of every app under `root`."""
    return sorted(
        path
        for path in root.glob("*/*.py")
        if path.stem in KINDS or path.stem.split("_")[0] in ("views", "forms")
    )


def _name(func: ast.expr) -> str:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def _raw_french(node: ast.expr | None) -> bool:
    """`node` is French text written as is (not the result of a gettext call)."""
    if node is None:
        return False
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str) and bool(FRENCH.search(node.value))
    if isinstance(node, ast.JoinedStr):
        return any(_raw_french(part) for part in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod | ast.Add):
        return _raw_french(node.left) or _raw_french(node.right)
    if isinstance(node, ast.IfExp):
        return _raw_french(node.body) or _raw_french(node.orelse)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        # "... {name}".format(...)
        return node.func.attr == "format" and _raw_french(node.func.value)
    if isinstance(node, ast.List | ast.Tuple):
        return any(_raw_french(item) for item in node.elts)
    return False


def _field_errors(node: ast.expr) -> bool:
    """A `{field: ["..."]}` dict with a French literal among its messages."""
    return isinstance(node, ast.Dict) and any(_raw_french(value) for value in node.values)


def _is_exception(name: str) -> bool:
    return name in EXCEPTIONS or name.endswith(EXCEPTION_SUFFIXES)


def _mentions_errors(node: ast.expr) -> bool:
    """`errors`, `errors[...]`, `errors.setdefault(...)`: a dict of field errors being filled."""
    while True:
        if isinstance(node, ast.Name):
            return "error" in node.id.lower()
        if isinstance(node, ast.Attribute | ast.Subscript):
            node = node.value
        elif isinstance(node, ast.Call):
            node = node.func
        else:
            return False


def _call_problems(call: ast.Call) -> list[str]:
    name = _name(call.func)
    receiver = call.func.value if isinstance(call.func, ast.Attribute) else None
    checked: list[ast.expr] = []
    if _is_exception(name) or name.startswith("HttpResponse"):
        checked += call.args
        checked += [kw.value for kw in call.keywords if kw.arg in ("message", "msg", "detail")]
    elif name in MESSAGE_FUNCTIONS and isinstance(receiver, ast.Name) and receiver.id == "messages":
        checked += call.args[1:]
        checked += [kw.value for kw in call.keywords if kw.arg == "message"]
    elif name == "add_error":
        checked += call.args[1:]
        checked += [kw.value for kw in call.keywords if kw.arg == "error"]
    elif "notify" in name or "announce" in name:
        checked += [kw.value for kw in call.keywords if kw.arg == "title"]
    elif name == "append" and receiver is not None and _mentions_errors(receiver):
        checked += call.args
    problems = [f"{name}(…)" for node in checked if _raw_french(node)]
    if any(kw.arg == "field_errors" and _field_errors(kw.value) for kw in call.keywords):
        problems.append(f"{name}(field_errors=…)")
    return problems


def problems_in(source: str) -> list[tuple[int, str]]:
    """(line, what) of every French message of `source` not marked for translation."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call):
            found += [(node.lineno, what) for what in _call_problems(node)]
        elif isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=True):
                if (
                    isinstance(key, ast.Constant)
                    and key.value in MESSAGE_KEYS
                    and _raw_french(value)
                ):
                    found.append((node.lineno, f'{{"{key.value}": …}}'))
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                if (
                    isinstance(target, ast.Subscript)
                    and _mentions_errors(target)
                    and _raw_french(node.value)
                ):
                    found.append((node.lineno, "errors[…] = […]"))
    return sorted(set(found))


def test_the_checker_finds_french_messages_written_without_gettext():
    bad = '''
def f(errors, request, org, fail):
    """Une docstring accentuée n'est pas un message."""
    logger.error("Échec du journal : ce n'est pas un message")
    errors["title"] = ["Donnez un intitulé."]
    errors.setdefault("x", []).append("Besoin non géré : " + org)
    messages.success(request, f"Accord signé avec {org}.")
    notify(recipients=[], title=f"Séjour de {org}", verb="v")
    raise Conflict("Déjà pris.", code="taken")
    raise ValidationFailed("Incomplet.", field_errors={"end": ["Fin avant le début."]})
    return {"code": "not_found", "message": "Introuvable ou privé : « %s »" % org}
'''
    lines = {line for line, _what in problems_in(bad)}
    assert lines == {5, 6, 7, 8, 9, 10, 11}
    good = '''
def f(errors, request, org):
    """Une docstring accentuée."""
    logger.warning("Échec : %s", org)
    errors["title"] = [_("Donnez un intitulé.")]
    errors.setdefault("x", []).append(_("Besoin inconnu : %(n)s") % {"n": org})
    messages.success(request, _("Accord signé avec %(org)s.") % {"org": org})
    notify(recipients=[], title=_("Séjour de %(org)s") % {"org": org}, verb="v")
    raise Conflict(_("Déjà pris."), code="taken")
    return {"code": "déjà_pris_is_not_a_message", "message": _("Introuvable.")}
'''
    assert problems_in(good) == []


def test_the_checked_modules_are_found():
    names = {f"{path.parent.name}/{path.name}" for path in modules()}
    assert {"incubation/services.py", "incubation/views.py", "market/views_offers.py"} <= names
    assert len(names) > 60


@pytest.mark.parametrize("path", modules(), ids=lambda path: f"{path.parent.name}/{path.name}")
def test_french_messages_go_through_gettext(path: Path):
    problems = problems_in(path.read_text(encoding="utf-8"))
    assert not problems, "\n".join(
        f"{path.relative_to(ROOT.parent)}:{line}: {what} — French text without _()"
        for line, what in problems
    )
