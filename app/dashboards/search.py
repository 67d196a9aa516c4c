"""Full-text search over the reviews' answers, good practices and pledges a user may read, combined with the filters.

- What is searched: every text answer (``answer.text``: the answers to the questionnaire's long and short text
  questions, in the general sections and the objective reports), as kind "report", except the good practices
  (answers of key ``good_practices``), which are kind "practice"; and the pledges' title and description. Objective
  answers count for reported objectives only. Each result names the question it answers (its label in that cycle's
  questionnaire). The objective, round-table and principle filters keep objective answers only. Pledges are States'
  and organisations' (named by the pledging entity), read as ``readable_pledge_filter`` says.
- SQLite: the FTS5 table ``search_index`` (rowid = record id × 4 + kind: kind 3 for answers, 2 for pledges), kept in
  sync by triggers (migrations 6b2d1e8f3c02, 4b8e1d2c6a10). The user's words become quoted prefix terms, so FTS5
  query syntax typed by a user is inert.
- PostgreSQL: ``<stored tsvector> @@ plainto_tsquery('english', ...)``: the vectors are generated columns
  (``answer.fts_answer``, ``commitment.fts_pledge``), each with a GIN index (migrations 8d4f3a015e04, 4b8e1d2c6a10),
  so no search computes ``to_tsvector`` row by row.
- Highlighting is done here, on escaped text: the snippet is escaped piece by piece and the matches wrapped in
  ``<mark>``; nothing a user typed is ever rendered as markup.
- Three selects (one per kind), each limited, whatever the data size.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from typing import Any

import snowballstemmer  # type: ignore[import-untyped]  # no type information shipped
from markupsafe import Markup, escape
from sqlalchemy import ColumnElement, and_, func, literal_column, or_, select, text
from sqlalchemy import column as sql_column
from sqlalchemy.orm import InstrumentedAttribute, Session
from sqlalchemy.sql.elements import ColumnClause

from app.auth.models import User
from app.catalog.models import Country, Objective, Principle, RoundTable
from app.commitments.models import Commitment, commitment_objective, commitment_principle
from app.cycles.models import ReviewCycle
from app.dashboards.queries import (
    Filters,
    _country_condition,
    _readable_submissions,
    applies_principle,
    objective_part,
    pledge_subregion_condition,
)
from app.dashboards.questionnaires import PRACTICE_KEY, Questionnaires
from app.i18n import pick
from app.organisations.models import Organisation
from app.questionnaires import languages
from app.submissions.models import Answer, ObjectiveReport, ReportingChoice, Submission
from app.visibility import readable_pledge_filter

KINDS = {"report": 3, "practice": 3, "pledge": 2, "stakeholder": 0}  # the search_index kind (rowid % 4) each is
# found in; "stakeholder" (accepted contributions' text answers) has an FTS5 table of its own,
# search_index_contribution (rowid = contribution_answer id), and is never mixed with the States' answers.
# PostgreSQL: the stored vector of each kind (generated columns, not in the models; see the migrations).
VECTORS: dict[str, ColumnClause[Any]] = {
    "report": literal_column("answer.fts_answer"),
    "practice": literal_column("answer.fts_answer"),
    "pledge": literal_column("commitment.fts_pledge"),
    "stakeholder": literal_column("contribution_answer.fts_contribution"),
}
LIMIT = 50
WORD = re.compile(r"\w+", re.UNICODE)

# The searchable text of each kind: the same expressions as the indexes (see the migrations).
_SPACE: ColumnClause[str] = literal_column("' '")
PLEDGE_TEXT = Commitment.title + _SPACE + Commitment.description


@dataclass(frozen=True)
class Hit:
    kind: str  # report, practice, pledge
    record_id: int  # the objective report's id (the objective page's anchors), the pledge's; the answer's for a section
    country: str
    country_iso3: str
    objective: int | None
    cycle: str | None
    title: str
    snippet: Markup
    submission_id: int | None = None
    accepted: bool = True
    cycle_id: int | None = None  # the objective page shows one cycle: the link must name it
    question: str = ""  # the label of the question the text answers
    section: str | None = None  # a general section's key (a hit in a section, not an objective report)
    language: str | None = None  # the text's language (app/questionnaires/languages.py), for its lang attribute


def words(query: str) -> list[str]:
    """The words searched for (at most 12): two characters or more, or a single Chinese character."""
    return [w for w in WORD.findall(query.lower()) if len(w) >= 2 or languages.has_han(w)][:12]


# The searchable text of each kind, for the short Chinese words that no index holds on SQLite (see _match).
BODIES: dict[str, ColumnElement[str]] = {
    "report": literal_column("answer.text"),
    "practice": literal_column("answer.text"),
    "pledge": PLEDGE_TEXT,
    "stakeholder": literal_column("contribution_answer.text"),
}
TRIGRAM_TABLES = {"stakeholder": "search_index_trigram_contribution"}  # the others: search_index_trigram
_HAN_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_RUSSIAN = snowballstemmer.stemmer("russian")  # a stemmer keeps its word while it works: one thread at a time
_RUSSIAN_LOCK = threading.Lock()


def _russian_stem(word: str) -> str:
    with _RUSSIAN_LOCK:
        return str(_RUSSIAN.stemWord(word))


@dataclass(frozen=True)
class Terms:
    """A query's words in the three shapes search needs (migration ae4b5a6c7d83 made the indexes they use).

    - ``plain``: words of alphabetic scripts, found through the word indexes: on PostgreSQL the stored vectors,
      stemmed per the row's language, queried in English, Russian and (accents folded) French at once; on SQLite
      FTS5's unicode61 (diacritics removed, so é finds e and the reverse) as prefixes, a Russian word by its Snowball
      stem ("миграции" -> "миграц"*: every inflected form, as PostgreSQL's stemming finds them).
    - ``han``: runs of Chinese characters (written without spaces): a phrase of single-character words in the
      vectors on PostgreSQL (any length); SQLite's trigram table for three characters or more, and for one or two
      (shorter than a trigram; Chinese words are often two) ``instr`` on the text of the rows the rest of the query
      and the reader's filters keep: a scan, bounded by those filters and the limit of results.
    """

    plain: list[str]
    han: list[str]

    @classmethod
    def of(cls, terms: list[str]) -> Terms:
        plain: list[str] = []
        han: list[str] = []
        for term in terms:
            han += _HAN_RUN.findall(term)
            plain += [w for w in WORD.findall(_HAN_RUN.sub(" ", term)) if len(w) >= 2]
        return cls(plain, han)

    def prefixes(self) -> list[str]:
        """The plain words as SQLite's prefix terms (and highlighting's): a Russian word's stem, else the word."""
        return [_russian_stem(w) if languages.is_cyrillic(w) else w for w in self.plain]


def _match(
    session: Session, kind: str, id_column: ColumnElement[int] | InstrumentedAttribute[int], terms: list[str]
) -> ColumnElement[bool]:
    split = Terms.of(terms)
    if session.get_bind().dialect.name == "postgresql":
        words = " ".join(split.plain)
        query: ColumnElement[Any] = (
            func.plainto_tsquery(literal_column("'english'"), words)
            .op("||")(func.plainto_tsquery(literal_column("'russian'"), words))
            .op("||")(func.plainto_tsquery(literal_column("'french'"), languages.fold(words)))
        )
        for run in split.han:
            query = query.op("&&")(func.phraseto_tsquery(literal_column("'simple'"), " ".join(run)))
        return VECTORS[kind].op("@@")(query)
    conditions: list[ColumnElement[bool]] = []
    base = KINDS[kind]
    if split.plain:
        fts = " ".join(f'"{t}"*' for t in split.prefixes())
        if kind == "stakeholder":
            own = text("SELECT rowid FROM search_index_contribution WHERE search_index_contribution MATCH :fts")
            conditions.append(id_column.in_(own.bindparams(fts=fts).columns(sql_column("id"))))
        else:
            rowids = text(
                "SELECT (rowid - :base) / 4 FROM search_index WHERE search_index MATCH :fts AND rowid % 4 = :base"
            ).bindparams(fts=fts, base=base)
            conditions.append(id_column.in_(rowids.columns(sql_column("id"))))
    long_runs = [run for run in split.han if len(run) >= 3]
    if long_runs:
        table = TRIGRAM_TABLES.get(kind, "search_index_trigram")
        phrases = " ".join(f'"{run}"' for run in long_runs)
        if kind == "stakeholder":
            found = text(f"SELECT rowid FROM {table} WHERE {table} MATCH :fts").bindparams(fts=phrases)  # noqa: S608
        else:
            found = text(
                f"SELECT (rowid - :base) / 4 FROM {table} WHERE {table} MATCH :fts AND rowid % 4 = :base"  # noqa: S608
            ).bindparams(fts=phrases, base=base)
        conditions.append(id_column.in_(found.columns(sql_column("id"))))
    conditions += [func.instr(BODIES[kind], run) > 0 for run in split.han if len(run) < 3]
    return and_(*conditions) if conditions else literal_column("0") == 1


def search(
    session: Session,
    *,
    user: User | None,
    query: str,
    f: Filters,
    kinds: set[str] | None = None,
    forms: Questionnaires | None = None,
) -> list[Hit]:
    """The hits of each kind asked (all three by default); ``forms`` gives the questions' labels (the default
    questionnaire's keys without it)."""
    terms = words(query)
    if not terms:
        return []
    kinds = kinds or set(KINDS)
    hits: list[Hit] = []
    if "report" in kinds:
        hits += _answers(session, user, terms, f, forms, practice=False)
    if "practice" in kinds:
        hits += _answers(session, user, terms, f, forms, practice=True)
    if "pledge" in kinds:
        hits += _pledges(session, user, terms, f)
    if "stakeholder" in kinds:
        hits += _stakeholder_inputs(session, terms, f)
    return hits


def _stakeholder_inputs(session: Session, terms: list[str], f: Filters) -> list[Hit]:
    """Accepted contributions' text answers ("Input from stakeholders"), cited as their consent says."""
    if f.round_table is not None or f.principle is not None or f.subregion_id is not None:
        return []  # filters of the States' reviews: a contribution has none of them
    from app.contributions.citations import cite
    from app.contributions.models import Contribution, ContributionAnswer, ContributionStatus

    stmt = (
        select(ContributionAnswer, Contribution, Organisation, ReviewCycle.name)
        .join(Contribution, Contribution.id == ContributionAnswer.contribution_id)
        .join(Organisation, Organisation.id == Contribution.organisation_id)
        .join(ReviewCycle, ReviewCycle.id == Contribution.review_cycle_id)
        .where(
            _match(session, "stakeholder", ContributionAnswer.id, terms),
            Contribution.status == ContributionStatus.accepted,
            ContributionAnswer.text != "",
        )
        .order_by(ReviewCycle.opens_on.desc(), Organisation.name, ContributionAnswer.id)
        .limit(LIMIT)
    )
    if f.cycle_id is not None:
        stmt = stmt.where(Contribution.review_cycle_id == f.cycle_id)
    if f.objective is not None:
        stmt = stmt.where(ContributionAnswer.part == f"objective:{f.objective}")
    hits = []
    for answer, contribution, organisation, cycle in session.execute(stmt):
        _kind, _sep, ref = answer.part.partition(":")
        hits.append(
            Hit(
                kind="stakeholder",
                record_id=contribution.id,
                country=cite(contribution, organisation),
                country_iso3="",
                objective=int(ref) if ref.isdecimal() else None,
                cycle=cycle,
                title=answer.key.replace("_", " ").capitalize(),
                snippet=highlight(answer.text, terms),
                cycle_id=contribution.review_cycle_id,
                language=answer.language,
            )
        )
    return hits


def _answers(
    session: Session, user: User | None, terms: list[str], f: Filters, forms: Questionnaires | None, *, practice: bool
) -> list[Hit]:
    kind = "practice" if practice else "report"
    in_section = Answer.part.like("section:%")
    stmt = (
        select(
            Answer.id,
            Answer.part,
            Answer.key,
            Answer.text,
            Country.name,
            Country.iso3,
            Objective.number,
            Objective.short_title,
            ObjectiveReport.id,
            ReviewCycle.name,
            Submission.id,
            Submission.status,
            ReviewCycle.id,
            Answer.language,
        )
        .join(Submission, Submission.id == Answer.submission_id)
        .join(Country, Country.id == Submission.country_id)
        .join(ReviewCycle, ReviewCycle.id == Submission.review_cycle_id)
        .outerjoin(Objective, Answer.part == objective_part(Objective.number))
        .outerjoin(
            ObjectiveReport,
            and_(ObjectiveReport.submission_id == Answer.submission_id, ObjectiveReport.objective_id == Objective.id),
        )
        .where(
            _match(session, kind, Answer.id, terms),
            Answer.text != "",
            *_readable_submissions(user),  # type: ignore[arg-type]
            *_country_condition(Submission.country_id, f),  # type: ignore[arg-type]
        )
        .order_by(ReviewCycle.opens_on.desc(), Country.name, func.coalesce(Objective.number, 0), Answer.id)
        .limit(LIMIT)
    )
    reported = ObjectiveReport.reporting == ReportingChoice.reported.value
    if practice:
        stmt = stmt.where(Answer.key == PRACTICE_KEY, reported)
    else:
        stmt = stmt.where(Answer.key != PRACTICE_KEY)
        objective_only = f.objective is not None or f.round_table is not None or f.principle is not None
        stmt = stmt.where(reported if objective_only else or_(in_section, reported))
    if f.cycle_id is not None:
        stmt = stmt.where(Submission.review_cycle_id == f.cycle_id)
    if f.objective is not None:
        stmt = stmt.where(Objective.number == f.objective)
    if f.round_table is not None:
        stmt = stmt.where(Objective.round_table_id.in_(_round_table_ids(f.round_table)))
    if f.principle is not None:
        keys = forms.principle_keys(f.cycle_id) if forms is not None else ("principles",)
        stmt = stmt.where(applies_principle(f.principle, keys))
    hits = []
    for aid, part, key, body, country, iso3, number, short, rid, cycle, sid, status, cycle_id, lang in session.execute(
        stmt
    ):
        definition = forms.of(cycle_id) if forms is not None else None
        question = definition.question(part, key) if definition is not None else None
        label = question.text() if question is not None else key.replace("_", " ").capitalize()
        section_key = part.partition(":")[2] if number is None else None
        if section_key is not None:
            section = definition.section(section_key) if definition is not None else None
            title = pick(section.label, section_key)[0] if section is not None else section_key
        else:
            title = f"{number}. {short}"
        hits.append(
            Hit(
                kind=kind,
                record_id=rid if rid is not None else aid,
                country=country,
                country_iso3=iso3,
                objective=number,
                cycle=cycle,
                title=title,
                snippet=highlight(body, terms),
                submission_id=sid,
                accepted=str(status) in ("approved", "published"),
                cycle_id=cycle_id,
                question=label,
                section=section_key,
                language=lang,
            )
        )
    return hits


def _round_table_ids(number: int) -> Any:
    return select(RoundTable.id).where(RoundTable.number == number)


def _pledges(session: Session, user: User | None, terms: list[str], f: Filters) -> list[Hit]:
    """Pledges of States and of organisations (named by the pledging entity) that the user may read; with a
    subregion, those ``pledge_subregion_condition`` keeps."""
    stmt = (
        select(
            Commitment.id,
            Commitment.title,
            PLEDGE_TEXT.label("body"),
            func.coalesce(Country.name, Organisation.name),
            func.coalesce(Country.iso3, ""),
        )
        .outerjoin(Country, Country.id == Commitment.country_id)
        .outerjoin(Organisation, Organisation.id == Commitment.organisation_id)
        .where(_match(session, "pledge", Commitment.id, terms), *pledge_subregion_condition(f))
        .order_by(Commitment.organisation_id.is_not(None), Country.name, Organisation.name, Commitment.reference)
        .limit(LIMIT)
    )
    readable = readable_pledge_filter(user, Commitment.country_id, Commitment.organisation_id)
    if readable is not None:
        stmt = stmt.where(readable)
    objective_ids = select(commitment_objective.c.commitment_id).join(
        Objective, Objective.id == commitment_objective.c.objective_id
    )
    if f.objective is not None:
        stmt = stmt.where(Commitment.id.in_(objective_ids.where(Objective.number == f.objective)))
    if f.round_table is not None:
        stmt = stmt.where(
            Commitment.id.in_(objective_ids.where(Objective.round_table_id.in_(_round_table_ids(f.round_table))))
        )
    if f.principle is not None:
        principled = select(commitment_principle.c.commitment_id).join(
            Principle, Principle.id == commitment_principle.c.principle_id
        )
        stmt = stmt.where(Commitment.id.in_(principled.where(Principle.code == f.principle)))
    return [
        Hit(
            kind="pledge",
            record_id=cid,
            country=country,
            country_iso3=iso3,
            objective=None,
            cycle=None,
            title=title,
            snippet=highlight(body, terms),
            language=languages.detect(body),
        )
        for cid, title, body, country, iso3 in session.execute(stmt)
    ]


def highlight(body: str, terms: list[str], *, width: int = 240) -> Markup:
    """An escaped excerpt around the first match, each word starting with a term wrapped in <mark> (accents aside,
    a Russian word by its stem) and each run of Chinese characters searched for wherever it is."""
    split = Terms.of(terms)
    alternatives = [r"\b" + re.escape(languages.fold(t)) + r"\w*" for t in split.prefixes()]
    alternatives += [re.escape(run) for run in split.han]
    if not alternatives:
        return Markup(escape(body[:width]))  # noqa: S704 - escaped
    pattern = re.compile("|".join(alternatives), re.IGNORECASE | re.UNICODE)
    folded = languages.fold(body)  # one character for one: a match's place is the same in the body
    first = pattern.search(folded)
    start = max((first.start() if first else 0) - width // 3, 0)
    excerpt = body[start : start + width]
    out: list[str] = ["…" if start else ""]
    position = 0
    for m in pattern.finditer(folded[start : start + width]):
        out.append(str(escape(excerpt[position : m.start()])))
        out.append(f"<mark>{escape(excerpt[m.start() : m.end()])}</mark>")
        position = m.end()
    out.append(str(escape(excerpt[position:])))
    if start + width < len(body):
        out.append("…")
    return Markup("".join(out))  # noqa: S704 - every piece is escaped above
