"""Rules of the pledge form and of progress updates, through the service."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.commitments import service
from app.commitments.models import Commitment, CommitmentStatus, PledgeType
from app.commitments.schemas import CommitmentInput, ProgressInput
from app.db import utcnow
from app.errors import Forbidden, FormInvalid
from app.submissions.models import SubmissionStatus
from tests.commitments.helpers import accept_review_of, focal_point, form_data, make_commitment
from tests.factories import make_user


def _count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Commitment)) or 0


def _errors(session: Session, **overrides: object) -> dict[str, str]:
    with pytest.raises(FormInvalid) as caught:
        service.validate(session, CommitmentInput(**form_data(**overrides)), user=None)
    return caught.value.errors


@pytest.mark.parametrize("length", [299, 3_001])
def test_description_outside_300_to_3000_characters_is_refused(session: Session, length: int) -> None:
    errors = _errors(session, description="x" * length)
    assert list(errors) == ["description"]
    assert "between 300 and 3,000 characters" in errors["description"]


@pytest.mark.parametrize("length", [300, 3_000])
def test_description_of_300_or_3000_characters_is_accepted(session: Session, length: int) -> None:
    values = service.validate(session, CommitmentInput(**form_data(description="x" * length)), user=None)
    assert len(values.description) == length


def test_surrounding_spaces_do_not_count_towards_the_description_minimum(session: Session) -> None:
    assert "description" in _errors(session, description="  " + "x" * 299 + "\n\n")


def test_references_number_pledges_per_country_and_year(session: Session) -> None:
    year = utcnow().year
    first = make_commitment(session, country="PHL")
    second = make_commitment(session, country="PHL")
    other = make_commitment(session, country="THA")
    assert (first.reference, second.reference) == (f"PHL-{year}-001", f"PHL-{year}-002")
    assert other.reference == f"THA-{year}-001"


def test_reference_follows_the_highest_number_of_the_year(session: Session) -> None:
    year = utcnow().year
    existing = make_commitment(session, country="PHL")
    existing.reference = f"PHL-{year}-041"
    last_year = make_commitment(session, country="PHL")
    last_year.reference = f"PHL-{year - 1}-099"
    session.flush()
    assert make_commitment(session, country="PHL").reference == f"PHL-{year}-042"


def test_country_comes_from_the_focal_point(session: Session) -> None:
    user = focal_point(session, "NPL")
    commitment = make_commitment(session, user=user)
    assert commitment.country.iso3 == "NPL"


def test_secretariat_cannot_record_a_pledge(session: Session) -> None:
    from app.auth.models import Role

    with pytest.raises(Forbidden):
        service.create_commitment(session, user=make_user(session, role=Role.secretariat), data=CommitmentInput())
    assert _count(session) == 0


@pytest.mark.parametrize("pledge_type", ["common", "partnership"])
def test_common_and_partnership_pledges_need_partners(session: Session, pledge_type: str) -> None:
    assert "partners" in _errors(session, pledge_type=pledge_type, partners="  ")
    values = service.validate(
        session, CommitmentInput(**form_data(pledge_type=pledge_type, partners="IOM, ILO")), user=None
    )
    assert values.partners == "IOM, ILO"


def test_matching_pledge_needs_a_reference(session: Session) -> None:
    assert "matched_reference" in _errors(session, pledge_type="matching", matched_reference="")


def test_matching_pledge_must_cite_an_existing_pledge(session: Session) -> None:
    errors = _errors(session, pledge_type="matching", matched_reference="PHL-1999-123")
    assert "No pledge has the reference PHL-1999-123" in errors["matched_reference"]


def test_matching_pledge_cites_another_countrys_pledge(session: Session) -> None:
    cited = make_commitment(session, country="THA")
    accept_review_of(session, "THA", SubmissionStatus.published)
    pledge = make_commitment(session, country="PHL", pledge_type="matching", matched_reference=cited.reference.lower())
    assert pledge.pledge_type is PledgeType.matching
    assert pledge.matched_commitment_id == cited.id


@pytest.mark.parametrize("status", [None, SubmissionStatus.approved])
def test_another_states_unpublished_pledge_cannot_be_cited_nor_found_out(
    session: Session, status: SubmissionStatus | None
) -> None:
    cited = make_commitment(session, country="THA")
    if status is not None:
        accept_review_of(session, "THA", status)
    user = focal_point(session, "PHL")
    data = CommitmentInput(**form_data(pledge_type="matching", matched_reference=cited.reference))
    with pytest.raises(FormInvalid) as caught:
        service.create_commitment(session, user=user, data=data)
    # The same answer as for a reference that does not exist: nothing tells that THA's pledge is there.
    assert caught.value.errors["matched_reference"] == (
        f"No pledge has the reference {cited.reference}. Check it, e.g. PHL-2022-003."
    )


def test_pledge_cannot_match_itself(session: Session) -> None:
    user = focal_point(session)
    pledge = make_commitment(session, user=user)
    data = CommitmentInput(**form_data(pledge_type="matching", matched_reference=pledge.reference))
    with pytest.raises(FormInvalid) as caught:
        service.update_commitment(session, user=user, commitment=pledge, data=data, version=pledge.version)
    assert "cannot match itself" in caught.value.errors["matched_reference"]


def test_only_a_matching_pledge_cites_a_reference(session: Session) -> None:
    cited = make_commitment(session)
    assert "matched_reference" in _errors(session, pledge_type="individual", matched_reference=cited.reference)


def test_at_least_one_objective_and_only_known_ones(session: Session) -> None:
    assert "at least one objective" in _errors(session, main_objectives=[])["main_objectives"]
    assert "objectives" in _errors(session, main_objectives=["3"], objectives=["3", "24"])
    assert "main_objectives" in _errors(session, main_objectives=["3", "24"])
    assert "principles" in _errors(session, principles=["a", "z"])


def test_timeframe_end_cannot_be_before_start(session: Session) -> None:
    errors = _errors(session, timeframe_start="2026-01-01", timeframe_end="2025-12-31")
    assert list(errors) == ["timeframe_end"]


def test_timeframe_dates_must_be_dates(session: Session) -> None:
    errors = _errors(session, timeframe_start="31/12/2025", timeframe_end="")
    assert "year-month-day" in errors["timeframe_start"] and "timeframe_end" in errors


def test_every_error_is_reported_at_once_in_form_order(session: Session) -> None:
    errors = _errors(session, title="", description="short", forms=[], main_objectives=[], timeframe_start="")
    assert list(errors) == ["title", "description", "forms", "main_objectives", "timeframe_start"]


def test_edit_without_changes_keeps_the_version(session: Session) -> None:
    user = focal_point(session)
    pledge = make_commitment(session, user=user)
    data = CommitmentInput.from_commitment(pledge)
    changed = service.update_commitment(session, user=user, commitment=pledge, data=data, version=pledge.version)
    assert changed is False and pledge.version == 1


def test_changing_only_objectives_bumps_the_version(session: Session) -> None:
    user = focal_point(session)
    pledge = make_commitment(session, user=user)
    data = CommitmentInput(**form_data(main_objectives=["3"]))
    assert service.update_commitment(session, user=user, commitment=pledge, data=data, version=1)
    assert pledge.version == 2 and [o.number for o in pledge.objectives] == [3]


def test_stale_version_is_a_conflict_and_nothing_changes(session: Session) -> None:
    user = focal_point(session)
    pledge = make_commitment(session, user=user)
    data = CommitmentInput(**form_data(title="Typed over an old version"))
    with pytest.raises(service.EditConflict):
        service.update_commitment(session, user=user, commitment=pledge, data=data, version=0)
    assert pledge.title == form_data()["title"]


def test_newest_progress_update_sets_the_pledge_status(session: Session) -> None:
    user = focal_point(session)
    pledge = make_commitment(session, user=user)
    today = utcnow().date()
    update = ProgressInput(reported_on=today.isoformat(), status="in_progress", progress="Two centres are open.")
    service.add_progress_update(session, user=user, commitment=pledge, data=update)
    assert pledge.status is CommitmentStatus.in_progress
    older = ProgressInput(reported_on=(today - timedelta(days=90)).isoformat(), status="pledged", progress="Planned.")
    service.add_progress_update(session, user=user, commitment=pledge, data=older)
    assert pledge.status is CommitmentStatus.in_progress  # an earlier report does not undo a later one
    assert len(pledge.updates) == 2


def test_progress_update_needs_text_and_no_future_date(session: Session) -> None:
    user = focal_point(session)
    pledge = make_commitment(session, user=user)
    tomorrow = (utcnow().date() + timedelta(days=1)).isoformat()
    with pytest.raises(FormInvalid) as caught:
        service.add_progress_update(
            session, user=user, commitment=pledge, data=ProgressInput(reported_on=tomorrow, status="x", progress=" ")
        )
    assert set(caught.value.errors) == {"reported_on", "status", "progress"}
    assert pledge.updates == []
