"""Every user-facing text goes through gettext, translated in the reader's language when it is shown.

Four checks, each tried first on bad examples so that a checker that finds nothing is known to look:

- templates (``app/templates/**``, lexed by the app's Jinja environment): no words in a text node, nor in an
  attribute a person reads or hears (``title``, ``placeholder``, ``aria-label``, ``alt``, a button's ``value``...),
  nor prose in a ``data-*`` attribute (a script's message) or in a string literal of an expression, outside
  ``{{ _("...") }}`` / ``{% trans %}``; ``ALLOWED_WORDS`` lists the few words every language writes alike;
- Python (``app/**/*.py``): no error (an ``AppError`` of ``app/errors.py`` or one of its subclasses anywhere in
  ``app``, or ``HTTPException``) raised with a literal or f-string message not wrapped in gettext, no literal
  put into an ``errors`` dict (the messages beside a form's fields), and no literal subject, body or notification
  (``Mail(...)``, ``notify(...)``) sent to a person; modules only the command line uses are listed in ``CLI_ONLY``;
- scripts (``app/static/*.js``) write no literal words into the page: their texts come from the templates;
- no gettext call evaluated at import (a module's constant, a class attribute, a default argument): it would be
  translated once, in English, for every reader. Such strings use ``lazy_gettext`` (``LazyLabels`` for a table).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest

from app.web.templating import TEMPLATES_DIR, templates

APP_DIR = Path(__file__).resolve().parents[2] / "app"
ENV = templates.env

# Words that are the same in every language the product speaks: names of formats and of standards. Keep it short:
# anything a translator could render (including "ESCAP", "GCM", "SDG": they have names of their own in Chinese,
# French and Russian) goes through gettext.
ALLOWED_WORDS = frozenset(
    {
        "API",  # the product's interface, a technical name
        "CSV",  # file formats, named as their standards name them
        "JSON",
        "XLSX",
        "DOCX",
        "PDF",
        "ISO3",  # the ISO 3166 code of a country (a column name)
        "htmx",  # the library, in a developer's note
        "UTC",  # the time standard, abbreviated so in every UN language
    }
)
# Attributes without a value (a macro writes them into a tag), never prose on their own.
BOOLEAN_ATTRIBUTES = frozenset({"autofocus", "disabled", "checked", "selected", "required", "readonly", "multiple"})

# Attributes whose text a person reads (a tooltip, a placeholder) or hears (a screen reader's label); `value` is
# read only on buttons (checked separately).
READ_ATTRIBUTES = (
    "title",
    "placeholder",
    "alt",
    "aria-label",
    "aria-description",
    "aria-roledescription",
    "aria-valuetext",
    "aria-placeholder",
    "hx-confirm",
    "hx-prompt",
    "data-confirm",
    "label",
)
_NAMES = "|".join(map(re.escape, READ_ATTRIBUTES))
_ATTRIBUTE = re.compile(r"""\s(""" + _NAMES + r""")\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.I)
# data-* attributes carry codes, except the messages a script shows (data-expired="..."): prose is two words or more.
_DATA_ATTRIBUTE = re.compile(r"""\s(data-[\w-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.I)
_BUTTON_VALUE = re.compile(
    r"""<input\b[^>]*\btype\s*=\s*["']?(?:submit|button|reset)\b[^>]*>""",
    re.I,
)
_VALUE = re.compile(r"""\svalue\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.I)
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_SCRIPT_OR_STYLE = re.compile(r"<(script|style)\b[^>]*>.*?</\1\s*>", re.S | re.I)
_TAG = re.compile(r"<[^>]*>", re.S)
_ENTITY = re.compile(r"&(?:[A-Za-z]+|#\d+|#x[0-9A-Fa-f]+);")
_WORD = re.compile(r"[^\W\d_][\w-]*")  # letters of any script (CJK and Cyrillic too), then letters/digits
# Where a Jinja expression or statement stood: no letters, and not mistaken for the end of a tag.
_HOLE = "\x00"


_ID_SUFFIX = re.compile(_HOLE + r"[\w-]*")  # "{{ fid }}-hint": the rest of an id made from a value
_ASSIGNMENT = re.compile(r"""[\w:.@-]+\s*=\s*(?:"[^"]*"|'[^']*')""")  # attributes a macro writes into a tag
_PATH = re.compile(r"(?:https?://|(?<![\w.])/)[\w./?=&%#:-]*")  # a link shown as itself ("/openapi.json")


def _words(text: str) -> list[str]:
    text = _ID_SUFFIX.sub(" ", text)
    return [w for w in _WORD.findall(text) if w not in ALLOWED_WORDS]


def _text_words(text: str) -> list[str]:
    words = _words(_PATH.sub(" ", _ASSIGNMENT.sub(" ", text)))
    return [] if set(words) <= BOOLEAN_ATTRIBUTES else words


def _skeleton(source: str, name: str) -> Iterator[tuple[int, str]]:
    """The template's own text (``data`` tokens) by line, with a hole for every ``{{ }}``/``{% %}``; the text of
    ``{% trans %}`` blocks (translated) and ``{# #}`` comments left out."""
    in_trans = False
    expect_name = False
    for lineno, kind, value in ENV.lex(source, name):
        if kind == "whitespace":
            continue
        if kind == "block_begin":
            expect_name = True
            yield lineno, _HOLE
            continue
        if expect_name and kind == "name":
            if value == "trans":
                in_trans = True
            elif value == "endtrans":
                in_trans = False
        expect_name = False
        if kind == "data":
            if not in_trans:
                yield lineno, value
        elif kind in ("variable_begin",):
            yield lineno, _HOLE


_PROSE = re.compile(r"[A-Z][a-z]{2,}(?:\s+[\w'-]+)*[.!?:]?")  # "Save", "Save the draft." (not "button--small")


def _literal_prose(source: str, name: str) -> Iterator[tuple[int, str]]:
    """String literals in ``{{ }}``/``{% %}`` that read as prose (``label="Country"``), not given to gettext."""
    tokens = [t for t in ENV.lex(source, name) if t[1] != "whitespace"]
    for i, (lineno, kind, value) in enumerate(tokens):
        if kind != "string" or not _PROSE.fullmatch(value[1:-1]):
            continue
        # _("..."), ngettext("...", "...", n), pgettext("context", "..."): an argument of a gettext call.
        opening = next((j for j in range(i - 1, -1, -1) if tokens[j][2] == "("), None)
        if opening and tokens[opening - 1][2] in GETTEXT_NAMES | {"trans"}:
            continue
        yield lineno, value


def template_problems(source: str, name: str = "snippet.html") -> list[str]:
    """Each literal word a person would read in ``source`` outside gettext, as "name:line: text"."""
    pieces = list(_skeleton(source, name))
    html = "".join(text for _line, text in pieces)
    # Line numbers: where each character of the skeleton came from.
    starts: list[tuple[int, int]] = []
    offset = 0
    for line, text in pieces:
        starts.append((offset, line))
        offset += len(text)

    def line_of(position: int) -> int:
        found = 1
        for start, line in starts:
            if start > position:
                break
            found = line
        return found

    problems = [f"{name}:{line}: literal {value}" for line, value in _literal_prose(source, name)]

    def blank(match: re.Match[str]) -> str:
        return re.sub(r"[^\n]", " ", match.group(0))  # keep the positions for the line numbers

    html = _COMMENT.sub(blank, html)
    html = _SCRIPT_OR_STYLE.sub(blank, html)
    for match in _ATTRIBUTE.finditer(html):
        value = match.group(2) if match.group(2) is not None else match.group(3)
        if words := _words(_ENTITY.sub(" ", value)):
            problems.append(f"{name}:{line_of(match.start())}: {match.group(1)}={' '.join(words)!r}")
    for match in _DATA_ATTRIBUTE.finditer(html):
        value = match.group(2) if match.group(2) is not None else match.group(3)
        words = [w for w in _words(_PATH.sub(" ", _ENTITY.sub(" ", value))) if w.isalpha()]  # not keys (a-b, x1)
        if len(words) >= 2:
            problems.append(f"{name}:{line_of(match.start())}: {match.group(1)}={' '.join(words)!r}")
    for match in _BUTTON_VALUE.finditer(html):
        for value_match in _VALUE.finditer(match.group(0)):
            value = value_match.group(1) if value_match.group(1) is not None else value_match.group(2)
            if words := _words(_ENTITY.sub(" ", value)):
                problems.append(f"{name}:{line_of(match.start())}: button value={' '.join(words)!r}")
    text = _TAG.sub(blank, html)
    text = _ENTITY.sub(" ", text)
    for match in re.finditer(r"[^\n]+", text):
        if words := _text_words(match.group(0)):
            problems.append(f"{name}:{line_of(match.start())}: text {' '.join(words)!r}")
    return problems


def _templates() -> list[Path]:
    return sorted(TEMPLATES_DIR.rglob("*.html"))


def _python_files() -> list[Path]:
    return sorted(APP_DIR.rglob("*.py"))


# ---------------------------------------------------------------------------------------------------------------
# Python: errors and the messages of forms

# Modules whose messages only the command line prints (in English, as the rest of its output), with the reason;
# every ``cli.py`` (a feature's commands: app/cli.py, app/catalog/cli.py...) is one too.
CLI_ONLY = {
    "app/backup/service.py": "gcm dump / gcm restore: an operator's commands, never a page",
    "app/demo.py": "gcm demo: builds the demonstration data from the command line",
}

GETTEXT_NAMES = frozenset({"_", "gettext", "ngettext", "pgettext", "npgettext", "lazy_gettext", "lazy_pgettext"})


def _error_classes(files: Iterable[Path]) -> frozenset[str]:
    """AppError, every class of app/errors.py and every subclass of one of them anywhere in app, HTTPException."""
    known = {"AppError", "HTTPException", "StarletteHTTPException"}
    trees = [ast.parse(path.read_text(encoding="utf-8")) for path in files]
    bases: dict[str, set[str]] = {}
    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                names = {
                    b.id if isinstance(b, ast.Name) else b.attr
                    for b in node.bases
                    if isinstance(b, ast.Name | ast.Attribute)
                }
                bases.setdefault(node.name, set()).update(names)
    grew = True
    while grew:
        grew = False
        for name, parents in bases.items():
            if name not in known and parents & known:
                known.add(name)
                grew = True
    return frozenset(known)


def _callee(node: ast.Call) -> str | None:
    if isinstance(node.func, ast.Name):
        return node.func.id
    if isinstance(node.func, ast.Attribute):
        return node.func.attr
    return None


def _is_translated(node: ast.expr) -> bool:
    """``_("...")``, ``_("...") % {...}``, ``ngettext(...) % ...``, ``_("...").format(...)``."""
    if isinstance(node, ast.Call) and _callee(node) in GETTEXT_NAMES:
        return True
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
        return _is_translated(node.left)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format":
        return _is_translated(node.func.value)
    return False


def _literal_words(node: ast.expr) -> bool:
    """A literal someone would read: a string with letters, an f-string with letters in its own text, or either
    formatted with ``%`` / ``.format`` / ``+``."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return bool(_WORD.search(node.value))
    if isinstance(node, ast.JoinedStr):
        return any(
            isinstance(v, ast.Constant) and isinstance(v.value, str) and _WORD.search(v.value) for v in node.values
        )
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod | ast.Add):
        return _literal_words(node.left) or (isinstance(node.op, ast.Add) and _literal_words(node.right))
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format":
        return _literal_words(node.func.value)
    return False


def _untranslated(node: ast.expr) -> bool:
    return not _is_translated(node) and _literal_words(node)


def _is_errors(target: ast.expr) -> bool:
    name = target.id if isinstance(target, ast.Name) else target.attr if isinstance(target, ast.Attribute) else ""
    return name == "errors" or name.endswith("_errors")


def python_problems(source: str, path: str, errors: frozenset[str]) -> list[str]:
    problems: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and _callee(node) in errors:
            message = [*node.args[:1], *(k.value for k in node.keywords if k.arg in ("message", "detail"))]
            if _callee(node) in ("HTTPException", "StarletteHTTPException"):  # (status_code, detail)
                message = [*node.args[1:2], *(k.value for k in node.keywords if k.arg == "detail")]
            for arg in message:
                if _untranslated(arg):
                    problems.append(f"{path}:{node.lineno}: {_callee(node)}({ast.unparse(arg)[:80]})")
                if isinstance(arg, ast.Dict):  # FormInvalid({"field": "message"})
                    problems += [
                        f"{path}:{node.lineno}: {_callee(node)}({{...: {ast.unparse(v)[:80]}}})"
                        for v in arg.values
                        if v is not None and _untranslated(v)
                    ]
        elif isinstance(node, ast.Call) and _callee(node) in ("Mail", "notify"):  # what a person is sent
            sent = [k.value for k in node.keywords if k.arg in ("subject", "body", "message")]
            if _callee(node) == "notify":
                sent += node.args[3:4]  # notify(session, users, kind, message, link)
            problems += [
                f"{path}:{node.lineno}: {_callee(node)}(... {ast.unparse(arg)[:80]})"
                for arg in sent
                if _untranslated(arg)
            ]
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            value = node.value
            if value is None:
                continue
            for target in targets:
                if isinstance(target, ast.Subscript) and _is_errors(target.value) and _untranslated(value):
                    problems.append(f"{path}:{node.lineno}: {ast.unparse(target)} = {ast.unparse(value)[:80]}")
                elif _is_errors(target) and isinstance(value, ast.Dict):
                    problems += [
                        f"{path}:{node.lineno}: {ast.unparse(target)} = {{...: {ast.unparse(v)[:80]}}}"
                        for v in value.values
                        if v is not None and _untranslated(v)
                    ]
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "setdefault"
            and _is_errors(node.func.value)
            and len(node.args) == 2
            and _untranslated(node.args[1])
        ):
            problems.append(f"{path}:{node.lineno}: {ast.unparse(node)[:80]}")
    return problems


# ---------------------------------------------------------------------------------------------------------------
# Import time

EAGER_NAMES = frozenset({"_", "gettext", "ngettext", "pgettext", "npgettext"})


def import_time_calls(source: str, path: str) -> list[str]:
    """gettext calls made when the module is imported: in its body, a class's body, a decorator or a default."""
    found: list[str] = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for part in [*node.decorator_list, *node.args.defaults, *(d for d in node.args.kw_defaults if d)]:
                visit(part)
            return  # the body runs when called
        if isinstance(node, ast.Lambda):
            return
        if isinstance(node, ast.Call):
            name = _callee(node)
            eager = isinstance(node.func, ast.Name) and name in EAGER_NAMES
            eager = eager or (
                isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "i18n"
                and name in EAGER_NAMES
            )
            if eager:
                found.append(f"{path}:{node.lineno}: {ast.unparse(node)[:80]}")
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(ast.parse(source))
    return found


# ---------------------------------------------------------------------------------------------------------------
# The checkers on bad and good examples


@pytest.mark.parametrize(
    "snippet",
    [
        "<p>Save the draft</p>",
        '<p>{{ _("Saved") }} at noon</p>',
        '<button title="Close the panel">×</button>',
        '<input type="search" placeholder="Search reviews" name="q">',
        "<img src=\"/x.png\" alt='A chart of answers'>",
        '<nav aria-label="Main {{ x }}">',
        '<input type="submit" value="Send">',
        "{% if x %}<span>Draft</span>{% endif %}",
        "<p>保存</p>",
        "<p>Сохранить</p>",
        "<p>{{ n }} MB</p>",
        "{% if x %} · RT{{ n }}{% endif %}",
        '{% set attrs %}name="{{ n }}" class="x"{% endset %}<p>{{ attrs }} required fields</p>',
        '<form hx-confirm="Delete it?"></form>',
        '{{ input("name", "Name", form.name) }}',
        '{{ "Saved" if ok else _("Not saved") }}',
        '<p id="grid-status" data-offline="Not saved: no connection"></p>',
    ],
)
def test_the_template_checker_finds_words_outside_gettext(snippet: str) -> None:
    assert template_problems(snippet), snippet


@pytest.mark.parametrize(
    "snippet",
    [
        '<p>{{ _("Save the draft") }}</p>',
        '<button title="{{ _("Close the panel") }}">×</button>',
        '<a href="/api/v1/x.json" class="button button--small">{{ _("Download") }}</a>',
        "<p>{% trans n=3 %}{{ n }} objectives{% endtrans %}</p>",
        "<!-- a note for developers --><p>{{ value }} &nbsp;–&nbsp; {{ other|number }}%</p>",
        '<script type="application/json" id="x">{"a": "b"}</script>',
        "{# a comment in English #}<span>(CSV, JSON)</span>",
        '<input type="hidden" name="kind" value="country">',
        '{% set attrs %}id="{{ fid }}" aria-describedby="{{ fid }}-hint {{ fid }}-count"{% endset %}',
        '{% if e %} aria-invalid="true"{% endif %}{% if f %} autofocus{% endif %}',
        '<p>{{ _("The description is at") }} <a href="/openapi.json">/openapi.json</a>.</p>',
        '{{ input("name", _("Name"), form.name, attrs=\'class="wide"\') }}',
        '{{ ngettext("%(num)d objective", "%(num)d objectives", n) }}',
        '{{ pgettext("verb", "Save") }}',
        '{% set kind = "button button--small" %}',
        '<p data-offline="{{ _("Not saved: no connection") }}" data-show-if="reporting" data-max="20"></p>',
        '<time datetime="{{ d.isoformat() }}">{{ d|date }}</time>',
    ],
)
def test_the_template_checker_passes_translated_text(snippet: str) -> None:
    assert template_problems(snippet) == [], snippet


BAD_PYTHON = {
    "literal": 'raise ValidationFailed("Enter a valid e-mail address.", field="email")',
    "f-string": 'raise Conflict(f"A user with the e-mail address {email} already exists.")',
    "formatted": 'raise NotFound("No review %s" % key)',
    "subclass": 'class Refused(Conflict):\n    pass\nraise Refused("Nothing was saved.")',
    "http": 'raise HTTPException(404, "Not found")',
    "http detail": 'raise HTTPException(status_code=403, detail="You may not")',
    "errors item": 'errors["email"] = "Enter an address."',
    "errors f-string": 'form_errors["n"] = f"At most {n} characters."',
    "errors dict": 'errors = {"name": "Give a name."}',
    "form invalid": 'raise FormInvalid({"name": "Give a name."})',
    "mail": 'mail.queue(session, mail.Mail(to=email, subject="Your request", body=_("Accepted.")))',
    "notification": 'notify(session, users, NotificationKind.comment, f"{name} commented", link)',
}
GOOD_PYTHON = {
    "gettext": 'raise ValidationFailed(_("Enter a valid e-mail address."), field="email")',
    "formatted": 'raise Conflict(_("A user with the e-mail address %(email)s already exists.") % {"email": email})',
    "plural": 'raise Conflict(ngettext("%(n)d row", "%(n)d rows", n) % {"n": n})',
    "variable": "raise NotFound(message)",
    "code": 'errors["email"] = _("Enter an address.")',
    "no words": 'raise BadRequest("")',
    "mail": 'mail.Mail(to=email, subject=_("Your request"), body=_("Accepted: %(n)s") % {"n": name})',
    "notification": "notify(session, users, NotificationKind.comment, message, link)",
}


@pytest.mark.parametrize("source", BAD_PYTHON.values(), ids=BAD_PYTHON.keys())
def test_the_python_checker_finds_untranslated_messages(source: str) -> None:
    errors = _error_classes([]) | {"ValidationFailed", "Conflict", "NotFound", "FormInvalid", "Refused"}
    assert python_problems(source, "example.py", errors), source


@pytest.mark.parametrize("source", GOOD_PYTHON.values(), ids=GOOD_PYTHON.keys())
def test_the_python_checker_passes_translated_messages(source: str) -> None:
    errors = _error_classes([]) | {"ValidationFailed", "Conflict", "NotFound", "FormInvalid", "BadRequest"}
    assert python_problems(source, "example.py", errors) == [], source


def test_the_error_classes_are_found_with_their_subclasses() -> None:
    errors = _error_classes(_python_files())
    assert {"AppError", "ValidationFailed", "Conflict", "FormInvalid", "SignInRequired"} <= errors
    assert "ImportConflict" in errors  # app/imports/service.py: a subclass of a subclass, in a feature


@pytest.mark.parametrize(
    "source",
    [
        'TITLE = _("Progress")',
        'LABELS = {"a": _("A")}',
        'class Form:\n    label = gettext("Name")',
        'def f(message=_("Saved")):\n    return message',
        'HINT = i18n.gettext("Hint")',
        'COUNT = ngettext("%(n)d row", "%(n)d rows", 2)',
    ],
)
def test_the_import_time_checker_finds_eager_translations(source: str) -> None:
    assert import_time_calls(source, "example.py"), source


@pytest.mark.parametrize(
    "source",
    [
        'TITLE = lazy_gettext("Progress")',
        'LABELS = LazyLabels({"a": lazy_gettext("A")})',
        'def f():\n    return _("Saved")',
        'class Form:\n    def label(self):\n        return _("Name")',
        'CHECK = lambda: _("Later")',
    ],
)
def test_the_import_time_checker_passes_lazy_and_called_translations(source: str) -> None:
    assert import_time_calls(source, "example.py") == [], source


# ---------------------------------------------------------------------------------------------------------------
# The product


def test_every_template_text_goes_through_gettext() -> None:
    problems = [
        problem
        for path in _templates()
        for problem in template_problems(path.read_text(encoding="utf-8"), str(path.relative_to(TEMPLATES_DIR)))
    ]
    assert problems == [], "Text outside gettext in templates:\n" + "\n".join(problems)


def test_every_error_message_goes_through_gettext() -> None:
    files = _python_files()
    errors = _error_classes(files)
    problems = [
        problem
        for path in files
        if str(path.relative_to(APP_DIR.parent)) not in CLI_ONLY and path.name != "cli.py"
        for problem in python_problems(path.read_text(encoding="utf-8"), str(path.relative_to(APP_DIR.parent)), errors)
    ]
    assert problems == [], "Messages outside gettext:\n" + "\n".join(problems)


def test_no_translation_is_made_at_import() -> None:
    problems = [
        problem
        for path in _python_files()
        for problem in import_time_calls(path.read_text(encoding="utf-8"), str(path.relative_to(APP_DIR.parent)))
    ]
    assert problems == [], "gettext at import (use lazy_gettext or LazyLabels):\n" + "\n".join(problems)


def test_labels_made_at_import_are_read_in_the_readers_language() -> None:
    from app.errors import FormInvalid
    from app.i18n import gettext, use_locale
    from app.questionnaires.answers import ANSWERS_INVALID
    from app.submissions.models import SubmissionStatus
    from app.submissions.rules import PROGRESS_SCALE, STATUS_LABELS

    english = STATUS_LABELS[SubmissionStatus.draft]
    for locale in ("fr", "ru", "zh"):
        with use_locale(locale):
            label = STATUS_LABELS[SubmissionStatus.draft]
            assert type(label) is str and label == gettext("Draft") and label != english, locale
            assert all(type(text) is str for pair in PROGRESS_SCALE.values() for text in pair)
            error = FormInvalid({"field": ANSWERS_INVALID}, ANSWERS_INVALID)
            assert type(error.message) is str and type(error.errors["field"]) is str
            assert error.message == gettext("Some answers need correcting; nothing was saved.") == error.errors["field"]
    assert STATUS_LABELS[SubmissionStatus.draft] == "Draft"  # back in English outside use_locale


# ---------------------------------------------------------------------------------------------------------------
# Scripts: their words come from the page (data-* attributes, a <script type="application/json"> block), so a
# literal word written into the page by a script is a text no reader of another language can read.

STATIC_DIR = APP_DIR / "static"
_SCRIPT_WRITES_WORDS = re.compile(
    r"""(?:\.(?:textContent|innerText|innerHTML|title|placeholder|ariaLabel)\s*=\s*|"""
    r"""\b(?:alert|confirm|prompt)\(\s*|setAttribute\(\s*["'](?:aria-label|title|placeholder|alt)["']\s*,\s*)"""
    r"""(["'])((?:(?!\1).)*)\1"""
)


def script_problems(source: str, name: str = "snippet.js") -> list[str]:
    problems = []
    for match in _SCRIPT_WRITES_WORDS.finditer(source):
        if _words(_TAG.sub(" ", match.group(2))):  # markup without words ("<strong></strong>") is fine
            problems.append(f"{name}:{source.count(chr(10), 0, match.start()) + 1}: {match.group(0)[:80]}")
    return problems


@pytest.mark.parametrize(
    "source",
    [
        'status.textContent = "Saved";',
        "if (!ok) { alert('Not saved'); }",
        'button.setAttribute("aria-label", "Close");',
        'el.title = "Open the panel";',
    ],
)
def test_the_script_checker_finds_literal_words(source: str) -> None:
    assert script_problems(source), source


@pytest.mark.parametrize(
    "source",
    [
        "status.textContent = T.saved;",
        'title.innerHTML = "<strong></strong> (<time></time>)";',
        'status.textContent = status.getAttribute("data-" + kind) || "";',
        'var T = { saving: "Saving…" };  // the English fallback when a page lacks its messages',
    ],
)
def test_the_script_checker_passes_words_from_the_page(source: str) -> None:
    assert script_problems(source) == [], source


def test_no_script_writes_literal_words() -> None:
    problems = [
        problem
        for path in sorted(STATIC_DIR.glob("*.js"))
        for problem in script_problems(path.read_text(encoding="utf-8"), path.name)
    ]
    assert problems == [], "Scripts writing words of their own (pass them from the template):\n" + "\n".join(problems)
