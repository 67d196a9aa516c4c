"""Who may read what: one table, used by every page, search, chart, export, report and API route.

A State's voluntary GCM review has four kinds of content, and who may read each depends on who the reader is and on
the review's status (``READS`` below; CONTRIBUTING.md has the same table):

- ``answers``: the text, ratings and links of its sections and objective reports (and the figures drawn from them);
- ``history``: earlier versions of that text (revisions, word differences);
- ``decisions``: the workflow's decisions and their reasons (request changes, reopen ...);
- ``threads``: the comment threads between the State and the secretariat.

Readers: a visitor (not signed in); a stakeholder (a user of an organisation, app/organisations: reads what a
visitor reads); a preparer; a focal point reading another State's review; a focal point reading
their own State's; the secretariat; an administrator. The rules: drafts and review notes are for the State and the
secretariat only; what is public is what the secretariat has **published**; a signed-in user sees at least what a
visitor sees; preparers also read what the secretariat has approved but not yet published (they build the regional
synthesis from it), never its history or notes.

Commitments and indicator values have no review of their own yet: a reader sees them for the countries where they
may read the answers of some review (the secretariat: every country; a focal point: their own too).

Writing is separate (``ensure_can_write_country``): only a focal point of the country writes its content; another
State's record is "not found" (404), never "forbidden", so nobody learns what exists.
"""

from __future__ import annotations

from collections.abc import Hashable
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, Select, false, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from app.auth.models import Role, User
from app.contributions.models import Contribution, ContributionStatus
from app.errors import Forbidden, NotFound
from app.i18n import _
from app.submissions.models import Submission, SubmissionStatus

ACCEPTED = (SubmissionStatus.approved, SubmissionStatus.published)  # what the secretariat has accepted


class Reader(StrEnum):
    visitor = "visitor"
    preparer = "preparer"
    other_focal_point = "other_focal_point"  # a focal point, reading another State's review
    own_focal_point = "own_focal_point"  # a focal point, reading their own State's review
    stakeholder = "stakeholder"  # a user of an organisation: what a visitor reads (their organisation's own later)
    secretariat = "secretariat"
    admin = "admin"


class Aspect(StrEnum):
    answers = "answers"
    history = "history"
    decisions = "decisions"
    threads = "threads"


_S = SubmissionStatus
_EVERY = frozenset(Aspect)
_ANSWERS = frozenset({Aspect.answers})
_NOTHING: frozenset[Aspect] = frozenset()

READS: dict[Reader, dict[SubmissionStatus, frozenset[Aspect]]] = {
    Reader.visitor: {_S.draft: _NOTHING, _S.submitted: _NOTHING, _S.changes_requested: _NOTHING,
                     _S.approved: _NOTHING, _S.published: _ANSWERS},
    Reader.other_focal_point: {_S.draft: _NOTHING, _S.submitted: _NOTHING, _S.changes_requested: _NOTHING,
                               _S.approved: _NOTHING, _S.published: _ANSWERS},
    Reader.stakeholder: {_S.draft: _NOTHING, _S.submitted: _NOTHING, _S.changes_requested: _NOTHING,
                         _S.approved: _NOTHING, _S.published: _ANSWERS},
    Reader.preparer: {_S.draft: _NOTHING, _S.submitted: _NOTHING, _S.changes_requested: _NOTHING,
                      _S.approved: _ANSWERS, _S.published: _ANSWERS},
    Reader.own_focal_point: dict.fromkeys(SubmissionStatus, _EVERY),
    Reader.secretariat: dict.fromkeys(SubmissionStatus, _EVERY),
    Reader.admin: dict.fromkeys(SubmissionStatus, _EVERY),
}  # fmt: skip


def reader(user: User | None, country_id: int | None = None) -> Reader:
    """Who the user is when reading content of ``country_id`` (None: content of no country in particular)."""
    if user is None:
        return Reader.visitor
    if user.role is Role.admin:
        return Reader.admin
    if user.role is Role.secretariat:
        return Reader.secretariat
    if user.role is Role.focal_point:
        own = country_id is not None and user.country_id == country_id
        return Reader.own_focal_point if own else Reader.other_focal_point
    if user.role is Role.preparer:
        return Reader.preparer
    if user.role is Role.stakeholder:
        return Reader.stakeholder
    return Reader.visitor  # any role without rules of its own reads what the public reads


def may_read(user: User | None, country_id: int, status: SubmissionStatus, aspect: Aspect = Aspect.answers) -> bool:
    """Whether the user may read this aspect of a review of that country in that status."""
    return aspect in READS[reader(user, country_id)][status]


def statuses_readable(who: Reader, aspect: Aspect = Aspect.answers) -> tuple[SubmissionStatus, ...]:
    return tuple(status for status, aspects in READS[who].items() if aspect in aspects)


def reads_everything(user: User | None) -> bool:
    return user is not None and user.role in (Role.secretariat, Role.admin)


def visibility_key(user: User | None) -> Hashable:
    """What decides which rows a user may read (the filters below): users with the same key see the same figures."""
    if reads_everything(user):
        return "everything"
    if user is not None and user.role is Role.focal_point:
        return ("country", user.country_id)
    return reader(user).value


def _own_country(user: User | None) -> int | None:
    if user is not None and user.role is Role.focal_point:
        return user.country_id
    return None


def _others_statuses(user: User | None) -> tuple[SubmissionStatus, ...]:
    """The statuses in which the user reads the answers of a State that is not their own."""
    return statuses_readable(reader(user, None))


def readable_country_ids(user: User | None) -> Select[int]:
    """The countries with a review whose answers the user may read (besides their own)."""
    return select(Submission.country_id).where(Submission.status.in_(_others_statuses(user))).distinct()


def readable_country_filter(
    user: User | None, country_column: ColumnElement[Any] | InstrumentedAttribute[Any]
) -> ColumnElement[bool] | None:
    """A WHERE clause limiting rows (by their country column) to what the user may read; None: no limit."""
    if reads_everything(user):
        return None
    others = country_column.in_(readable_country_ids(user))
    own = _own_country(user)
    return or_(country_column == own, others) if own is not None else others


def readable_submission_filter(user: User | None) -> object | None:
    """A WHERE clause limiting submissions (and their parts) to those whose answers the user may read."""
    if reads_everything(user):
        return None
    statuses = _others_statuses(user)
    others = Submission.status.in_(statuses) if statuses else false()
    own = _own_country(user)
    return or_(Submission.country_id == own, others) if own is not None else others


def can_read_country(session: Session, user: User | None, country_id: int) -> bool:
    if reads_everything(user) or (_own_country(user) is not None and _own_country(user) == country_id):
        return True
    stmt = select(Submission.id).where(
        Submission.country_id == country_id, Submission.status.in_(_others_statuses(user))
    )
    return session.scalar(stmt.limit(1)) is not None


def ensure_can_read(
    user: User | None, country_id: int, status: SubmissionStatus, aspect: Aspect = Aspect.answers
) -> None:
    """Anyone who may not read it finds nothing (404)."""
    if not may_read(user, country_id, status, aspect):
        raise NotFound(_("The page or record was not found."))


def ensure_can_write_country(user: User, country_id: int) -> None:
    """Only a focal point of the country writes its content; anyone else gets 404 (no enumeration) or 403."""
    if user.role is Role.focal_point:
        if user.country_id != country_id:
            raise NotFound(_("The page or record was not found."))
        return
    raise Forbidden(_("Only the country's focal points can change its content."))


def can_discuss(user: User | None, country_id: int) -> bool:
    """Comment threads on a State's review: the secretariat, administrators and that State's focal points only."""
    if reads_everything(user):
        return True
    return user is not None and user.role is Role.focal_point and user.country_id == country_id


def ensure_can_discuss(user: User, country_id: int) -> None:
    """Anyone else finds no thread at all (404): preparers and the public never see the discussion."""
    if not can_discuss(user, country_id):
        raise NotFound(_("The page or record was not found."))


# ---- organisations' contributions (app/contributions) ------------------------------------------------------------
# Everyone reads accepted contributions (answers); an organisation's users also read their own in every status, with
# the moderation decisions and their reasons; the secretariat and administrators read all. Another organisation's
# draft is 404, like another State's.


class ContributionReader(StrEnum):
    visitor = "visitor"
    focal_point = "focal_point"
    preparer = "preparer"
    own_organisation = "own_organisation"  # a stakeholder of the contributing organisation
    other_organisation = "other_organisation"  # a stakeholder of another organisation
    secretariat = "secretariat"
    admin = "admin"


_C = ContributionStatus
_ANSWERS_AND_DECISIONS = frozenset({Aspect.answers, Aspect.decisions})
_PUBLIC_CONTRIBUTIONS = {status: (_ANSWERS if status is _C.accepted else _NOTHING) for status in ContributionStatus}

CONTRIBUTION_READS: dict[ContributionReader, dict[ContributionStatus, frozenset[Aspect]]] = {
    ContributionReader.visitor: _PUBLIC_CONTRIBUTIONS,
    ContributionReader.focal_point: _PUBLIC_CONTRIBUTIONS,
    ContributionReader.preparer: _PUBLIC_CONTRIBUTIONS,
    ContributionReader.other_organisation: _PUBLIC_CONTRIBUTIONS,
    ContributionReader.own_organisation: dict.fromkeys(ContributionStatus, _ANSWERS_AND_DECISIONS),
    ContributionReader.secretariat: dict.fromkeys(ContributionStatus, _ANSWERS_AND_DECISIONS),
    ContributionReader.admin: dict.fromkeys(ContributionStatus, _ANSWERS_AND_DECISIONS),
}


def contribution_reader(user: User | None, organisation_id: int) -> ContributionReader:
    if user is None:
        return ContributionReader.visitor
    if user.role is Role.admin:
        return ContributionReader.admin
    if user.role is Role.secretariat:
        return ContributionReader.secretariat
    if user.role is Role.stakeholder:
        own = user.organisation_id == organisation_id
        return ContributionReader.own_organisation if own else ContributionReader.other_organisation
    if user.role is Role.focal_point:
        return ContributionReader.focal_point
    if user.role is Role.preparer:
        return ContributionReader.preparer
    return ContributionReader.visitor


def may_read_contribution(user: User | None, contribution: Contribution, aspect: Aspect = Aspect.answers) -> bool:
    """Whether the user may read this aspect (answers, decisions) of the contribution (``CONTRIBUTION_READS``)."""
    return aspect in CONTRIBUTION_READS[contribution_reader(user, contribution.organisation_id)][contribution.status]


def may_read_contribution_decisions(user: User | None, contribution: Contribution) -> bool:
    return may_read_contribution(user, contribution, Aspect.decisions)


def readable_contribution_filter(user: User | None) -> ColumnElement[bool] | None:
    """A WHERE clause limiting contributions to those whose answers the user may read; None: no limit."""
    if reads_everything(user):
        return None
    public = [s for s, aspects in _PUBLIC_CONTRIBUTIONS.items() if Aspect.answers in aspects]
    readable = Contribution.status.in_(public)
    if user is not None and user.role is Role.stakeholder and user.organisation_id is not None:
        return or_(readable, Contribution.organisation_id == user.organisation_id)
    return readable


def ensure_can_read_contribution(user: User | None, contribution: Contribution) -> None:
    if not may_read_contribution(user, contribution):
        raise NotFound(_("The page or record was not found."))


def ensure_can_write_contribution(user: User, contribution: Contribution) -> None:
    """Only the organisation's own users write its contribution; anyone else finds nothing (404) or is refused."""
    if user.role is Role.stakeholder:
        if user.organisation_id != contribution.organisation_id:
            raise NotFound(_("The page or record was not found."))
        return
    if not may_read_contribution(user, contribution):
        raise NotFound(_("The page or record was not found."))
    raise Forbidden(_("Only the organisation's own people can change its contribution."))


# ---- pledges (app/commitments) ---------------------------------------------------------------------------------
# A State's pledge is read as today (where the reader may read some review of the State). An organisation's pledge
# has no review of its own: like the pledges the IMRF shows, everyone reads it. The contact person of a pledge (and
# nothing else) is the pledging entity's and the secretariat's only: a focal point of the State, a stakeholder of
# the organisation. Writing is the pledging entity's: a focal point of the State or a stakeholder of the organisation.


def _own_organisation(user: User | None) -> int | None:
    if user is not None and user.role is Role.stakeholder:
        return user.organisation_id
    return None


def readable_pledge_filter(
    user: User | None,
    country_column: ColumnElement[Any] | InstrumentedAttribute[Any],
    organisation_column: ColumnElement[Any] | InstrumentedAttribute[Any],
) -> ColumnElement[bool] | None:
    """A WHERE clause limiting pledges to those the user may read; None: no limit."""
    states = readable_country_filter(user, country_column)
    return None if states is None else or_(organisation_column.is_not(None), states)


def can_read_pledge(session: Session, user: User | None, country_id: int | None, organisation_id: int | None) -> bool:
    if organisation_id is not None:
        return True
    return country_id is not None and can_read_country(session, user, country_id)


def is_pledging_entity(user: User | None, country_id: int | None, organisation_id: int | None) -> bool:
    """Whether the user speaks for the pledging entity (the State's focal point, the organisation's stakeholder)."""
    if user is None:
        return False
    if country_id is not None:
        return user.role is Role.focal_point and user.country_id == country_id
    own = _own_organisation(user)
    return own is not None and own == organisation_id


def can_read_pledge_contact(user: User | None, country_id: int | None, organisation_id: int | None) -> bool:
    """The contact person of a pledge: never public; the pledging entity and the secretariat read it."""
    return reads_everything(user) or is_pledging_entity(user, country_id, organisation_id)


def ensure_can_write_pledge(user: User, country_id: int | None, organisation_id: int | None) -> None:
    """Only the pledging entity writes its pledges; others get 404 (a pledge they could not read) or 403."""
    if is_pledging_entity(user, country_id, organisation_id):
        return
    if user.role in (Role.focal_point, Role.stakeholder):
        raise NotFound(_("The page or record was not found."))
    raise Forbidden(_("Only the pledging State's focal points or organisation's users can change its pledges."))
