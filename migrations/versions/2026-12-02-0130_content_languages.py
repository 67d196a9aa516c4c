"""content languages and multilingual search: each text answer's language, search in en, fr, ru and zh

``answer`` and ``contribution_answer`` gain ``language`` (en, fr, ru, zh; NULL when empty or undetermined) and
``language_set`` (the writer chose it). Existing rows are detected here, with a frozen copy of
``app/questionnaires/languages.py``'s ``detect`` (so every row has its language from the start and PostgreSQL's
vectors are built in the right configuration; a migration never imports the app).

Search (``app/dashboards/search.py``):

- SQLite: beside the word tables (``search_index``, ``search_index_contribution``: unicode61 with diacritics removed,
  which already match é/e and Russian prefixes), FTS5 ``trigram`` tables for Chinese, which has no spaces between
  words: ``search_index_trigram`` (rowid = id * 4 + kind as in ``search_index``: 3 answers, 2 pledges) and
  ``search_index_trigram_contribution`` (rowid = contribution_answer id), kept by triggers of their own
  (``search_trigram_<table>_ai/ad/au``) and filled here from the rows. A table rebuilt in batch mode later drops
  them: remake them as 5e2c9a7b1d40 does for ``search_index``. Needs SQLite 3.34 or later.
- PostgreSQL: the stored vectors ``answer.fts_answer`` and ``contribution_answer.fts_contribution`` are built in
  the row's language (``english``; ``french`` on accent-folded text; ``russian`` for ru and undetermined, whose
  parser also stems English words), and ``commitment.fts_pledge`` (no language) with ``russian`` and ``french``;
  each adds the Han characters as single-character words in ``simple``, so that a Chinese word of any length is a
  phrase query (``移 <-> 民``) on the same GIN index. Accents are folded with ``translate()`` (immutable, so usable in
  a generated column; the ``unaccent`` extension's function is not immutable and may not be installed). No extension.

Downgrading restores the English-only vectors and drops the trigram tables and the two columns.

Revision ID: ae4b5a6c7d83
Revises: 9d3a4f5b6c72
Create Date: 2026-12-01 20:30:00
"""

import re
import unicodedata
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "ae4b5a6c7d83"
down_revision: str | Sequence[str] | None = "9d3a4f5b6c72"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# --- a frozen copy of app/questionnaires/languages.py (detect, the accent folding) ---
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_LATIN = re.compile(r"[A-Za-z\u00c0-\u024f]")
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_FRENCH_LETTERS = re.compile(r"[éèêëàâùûüçôîïœÉÈÊÀÇ]")
# fmt: off
_ENGLISH = frozenset({
    "the", "and", "of", "to", "in", "is", "are", "was", "were", "be", "been", "for", "with", "that", "this", "these",
    "those", "by", "from", "at", "it", "its", "as", "an", "have", "has", "had", "which", "who", "not", "or", "their",
    "they", "we", "our", "will", "would", "can", "also", "such", "other", "more", "than", "into", "all", "any",
})
_FRENCH = frozenset({
    "le", "la", "les", "des", "du", "de", "et", "est", "sont", "un", "une", "pour", "dans", "sur", "par", "avec",
    "que", "qui", "au", "aux", "ne", "pas", "cette", "ces", "nous", "leur", "leurs", "été", "ont", "être", "aussi",
    "ainsi", "entre", "selon", "dont", "où", "très", "tous", "toutes", "notre", "nos", "se", "ses", "sa", "son", "ou",
    "lors", "afin", "d", "l", "qu",
})
# fmt: on


def _detect(text: str | None) -> str | None:
    if not text:
        return None
    scores = {
        "zh": len(_HAN.findall(text)) * 3,
        "ru": len(_CYRILLIC.findall(text)),
        "latin": len(_LATIN.findall(text)),
    }
    best = max(scores, key=lambda k: scores[k])
    if scores[best] == 0:
        return None
    if best != "latin":
        return best
    words = [w.lower() for w in _WORD.findall(text.replace("’", "'"))]
    english = sum(w in _ENGLISH for w in words)
    french = sum(w in _FRENCH for w in words) + len(_FRENCH_LETTERS.findall(text)) / 2
    if english == french == 0:
        return None
    return "fr" if french > english else "en"


def _plain(char: str) -> str:
    base = unicodedata.normalize("NFD", char)[0]
    return base if base.isascii() and base.isalpha() else char


_ACCENTED_LETTERS = [chr(c) for c in range(0xC0, 0x250) if chr(c).isalpha() and _plain(chr(c)) != chr(c)]
ACCENTED = "".join(_ACCENTED_LETTERS)
PLAIN = "".join(_plain(c) for c in _ACCENTED_LETTERS)

# --- PostgreSQL's vectors ---
HAN_CLASS = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"


def _folded(expr: str) -> str:
    return f"translate({expr}, '{ACCENTED}', '{PLAIN}')"


def _han_words(expr: str) -> str:
    """The Han characters of a text, each a word of its own (everything else dropped)."""
    only = f"regexp_replace({expr}, '[^{HAN_CLASS}]+', ' ', 'g')"
    return f"to_tsvector('simple'::regconfig, regexp_replace({only}, '([{HAN_CLASS}])', ' \\1 ', 'g'))"


def _answer_vector(expr: str = "text") -> str:
    config = (
        "CASE language WHEN 'en' THEN 'english'::regconfig WHEN 'fr' THEN 'french'::regconfig "
        "ELSE 'russian'::regconfig END"
    )
    body = f"CASE WHEN language = 'fr' THEN {_folded(expr)} ELSE {expr} END"
    return f"to_tsvector({config}, {body}) || {_han_words(expr)}"


def _pledge_vector() -> str:
    expr = "(title || ' ' || description)"
    return (
        f"to_tsvector('russian'::regconfig, {expr}) || to_tsvector('french'::regconfig, {_folded(expr)}) "
        f"|| {_han_words(expr)}"
    )


# (table, vector column, its GIN index, the multilingual expression, the English-only one it replaces)
VECTORS = [
    ("answer", "fts_answer", "ix_answer_fts_answer", _answer_vector(), "to_tsvector('english', text)"),
    (
        "contribution_answer",
        "fts_contribution",
        "ix_contribution_answer_fts_contribution",
        _answer_vector(),
        "to_tsvector('english', text)",
    ),
    (
        "commitment",
        "fts_pledge",
        "ix_commitment_fts_pledge",
        _pledge_vector(),
        "to_tsvector('english', title || ' ' || description)",
    ),
]

# --- SQLite's trigram tables: (table, FTS5 table, rowid of new/old, indexed text of new) ---
TRIGRAMS = [
    ("answer", "search_index_trigram", "{row}.id * 4 + 3", "new.text"),
    ("commitment", "search_index_trigram", "{row}.id * 4 + 2", "new.title || ' ' || new.description"),
    ("contribution_answer", "search_index_trigram_contribution", "{row}.id", "new.text"),
]
TRIGRAM_SOURCES = {
    "answer": "SELECT id * 4 + 3, text FROM answer WHERE text != ''",
    "commitment": "SELECT id * 4 + 2, title || ' ' || description FROM commitment",
    "contribution_answer": "SELECT id, text FROM contribution_answer WHERE text != ''",
}
# The word tables' triggers on the two tables whose columns change (batch mode drops them when it rebuilds a table):
# as migrations 4b8e1d2c6a10 and 6f3d0b8c2e51 made them.
WORD_TRIGGERS = {
    "answer": (
        "search_answer",
        "INSERT INTO search_index(rowid, body) VALUES (new.id * 4 + 3, new.text);",
        "DELETE FROM search_index WHERE rowid = old.id * 4 + 3;",
    ),
    "contribution_answer": (
        "search_contribution",
        "INSERT INTO search_index_contribution(rowid, body) VALUES (new.id, new.text);",
        "DELETE FROM search_index_contribution WHERE rowid = old.id;",
    ),
}
TABLES = ("answer", "contribution_answer")


def _detect_existing() -> None:
    bind = op.get_bind()
    for table in TABLES:
        rows = bind.execute(sa.text(f"SELECT id, text FROM {table} WHERE text != ''")).all()  # noqa: S608
        updates = [{"id": id_, "language": lang} for id_, text in rows if (lang := _detect(text)) is not None]
        for start in range(0, len(updates), 1000):
            bind.execute(
                sa.text(f"UPDATE {table} SET language = :language WHERE id = :id"),  # noqa: S608
                updates[start : start + 1000],
            )


def _trigram_triggers(create: bool) -> None:
    for table, fts, rowid, body in TRIGRAMS:
        name = f"search_trigram_{table}"
        for suffix in ("ai", "ad", "au"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}_{suffix}")
        if not create:
            continue
        insert = f"INSERT INTO {fts}(rowid, body) VALUES ({rowid.format(row='new')}, {body});"  # noqa: S608
        delete = f"DELETE FROM {fts} WHERE rowid = {rowid.format(row='old')};"  # noqa: S608
        columns = "text" if table != "commitment" else "title, description"
        op.execute(f"CREATE TRIGGER {name}_ai AFTER INSERT ON {table} BEGIN {insert} END")
        op.execute(f"CREATE TRIGGER {name}_ad AFTER DELETE ON {table} BEGIN {delete} END")
        op.execute(f"CREATE TRIGGER {name}_au AFTER UPDATE OF {columns} ON {table} BEGIN {delete} {insert} END")


def _word_triggers() -> None:
    """The word tables' triggers again: batch mode rebuilds the tables (copying their rows, ids kept) without them."""
    for table, (name, insert, delete) in WORD_TRIGGERS.items():
        for suffix in ("ai", "ad", "au"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}_{suffix}")
        op.execute(f"CREATE TRIGGER {name}_ai AFTER INSERT ON {table} BEGIN {insert} END")
        op.execute(f"CREATE TRIGGER {name}_ad AFTER DELETE ON {table} BEGIN {delete} END")
        op.execute(f"CREATE TRIGGER {name}_au AFTER UPDATE OF text ON {table} BEGIN {delete} {insert} END")


def _vectors(*, multilingual: bool) -> None:
    for table, column, index, new, old in VECTORS:
        op.execute(f"ALTER TABLE {table} DROP COLUMN IF EXISTS {column}")  # drops its index too
        op.execute(
            f"ALTER TABLE {table} ADD COLUMN {column} tsvector "
            f"GENERATED ALWAYS AS ({new if multilingual else old}) STORED"
        )
        op.execute(f"CREATE INDEX {index} ON {table} USING gin ({column})")


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("language", sa.String(length=8), nullable=True))
            batch_op.add_column(sa.Column("language_set", sa.Boolean(), server_default=sa.false(), nullable=False))
    _detect_existing()
    if dialect == "sqlite":
        _word_triggers()
        for fts in ("search_index_trigram", "search_index_trigram_contribution"):
            op.execute(f"CREATE VIRTUAL TABLE {fts} USING fts5(body, tokenize = 'trigram')")
        for table, source in TRIGRAM_SOURCES.items():
            fts = "search_index_trigram_contribution" if table == "contribution_answer" else "search_index_trigram"
            op.execute(f"INSERT INTO {fts}(rowid, body) {source}")
        _trigram_triggers(create=True)
    elif dialect == "postgresql":
        _vectors(multilingual=True)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        _trigram_triggers(create=False)
        op.execute("DROP TABLE IF EXISTS search_index_trigram")
        op.execute("DROP TABLE IF EXISTS search_index_trigram_contribution")
    elif dialect == "postgresql":
        _vectors(multilingual=False)
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("language_set")
            batch_op.drop_column("language")
    if dialect == "sqlite":
        _word_triggers()
