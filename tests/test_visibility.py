"""Who may read what (``app/visibility.py``'s table), walked reader × status × aspect through the pages and the API.

For every reader and every status a review can be in, one review of Thailand is made with a marker in each aspect:
its answers (an objective's narrative), its history (an earlier draft text), a decision's reason and a comment thread.
Each aspect must be readable exactly where the table says, on the pages that show it.
"""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from app.auth.models import Role, User
from app.comments.models import Comment, CommentThread, ThreadTarget
from app.review.models import DecisionKind, ReviewDecision
from app.submissions.models import Submission, SubmissionStatus
from app.visibility import READS, Aspect, Reader
from tests.api.helpers import auth_for
from tests.factories import make_cycle, make_submission, make_user, set_answers, sign_in

ANSWER = "Quetzalanswer"
EARLIER = "Quetzaldraft"
REASON = "Quetzalreason"
THREAD = "Quetzalthread"

ROLE_OF = {
    Reader.preparer: (Role.preparer, None),
    Reader.other_focal_point: (Role.focal_point, "PHL"),
    Reader.own_focal_point: (Role.focal_point, "THA"),
    Reader.secretariat: (Role.secretariat, None),
    Reader.admin: (Role.admin, None),
    Reader.stakeholder: (Role.stakeholder, None),
}


def test_the_table_covers_every_reader_and_status_and_keeps_its_promises() -> None:
    assert set(READS) == set(Reader)
    for rules in READS.values():
        assert set(rules) == set(SubmissionStatus)
    visitor = READS[Reader.visitor]
    assert {s for s, aspects in visitor.items() if aspects} == {SubmissionStatus.published}  # published only
    assert visitor[SubmissionStatus.published] == {Aspect.answers}
    for who, rules in READS.items():  # a signed-in user sees at least what a visitor sees
        for status, aspects in rules.items():
            assert visitor[status] <= aspects, (who, status)
    notes = {Aspect.history, Aspect.decisions, Aspect.threads}  # between the State and the secretariat only
    for who in (Reader.visitor, Reader.preparer, Reader.other_focal_point, Reader.stakeholder):
        for status, aspects in READS[who].items():
            assert not aspects & notes, (who, status)
    assert READS[Reader.stakeholder] == visitor  # an organisation's user reads what the public reads
    for status in SubmissionStatus:
        for who in (Reader.own_focal_point, Reader.secretariat, Reader.admin):
            assert READS[who][status] == set(Aspect)


def _review(session: Session, status: SubmissionStatus) -> Submission:
    """Thailand's review in ``status``, with a marker in each aspect (written straight to the database, so states
    the workflow would not create are covered too: a decision and a thread whatever the status)."""
    cycle = make_cycle(session)
    author = make_user(session, role=Role.focal_point, country="THA")
    submission = make_submission(session, focal_point=author, cycle=cycle)
    report = next(r for r in submission.objective_reports if r.objective.number == 1)
    set_answers(session, submission, "objective:1", {"narrative": f"{EARLIER} text"})
    set_answers(session, submission, "objective:1", {"narrative": f"{ANSWER} text"})  # the earlier: history only
    submission.status = status
    reviewer = make_user(session, role=Role.secretariat)
    session.add(
        ReviewDecision(
            submission_id=submission.id,
            kind=DecisionKind.request_changes,
            reason=f"{REASON} please",
            decided_by_id=reviewer.id,
            parts=["objective:1"],
        )
    )
    thread = CommentThread(
        submission_id=submission.id, target_kind=ThreadTarget.objective, target_id=report.id, created_by_id=reviewer.id
    )
    thread.comments = [Comment(author_id=reviewer.id, body=f"{THREAD} question")]
    session.add(thread)
    session.flush()
    return submission


def _reader(session: Session, who: Reader) -> User | None:
    if who is Reader.visitor:
        return None
    role, country = ROLE_OF[who]
    return make_user(session, role=role, country=country)


@pytest.mark.parametrize("status", list(SubmissionStatus))
@pytest.mark.parametrize("who", list(Reader))
def test_each_reader_reads_what_the_table_allows(
    client: TestClient, session: Session, who: Reader, status: SubmissionStatus
) -> None:
    submission = _review(session, status)
    allowed = READS[who][status]
    user = _reader(session, who)
    if user is not None:
        sign_in(client, user)

    # Answers: the public country profile and search; signed in, the review's page, the export and the API.
    profile = client.get("/dashboards/countries/THA")
    assert profile.status_code == (200 if Aspect.answers in allowed else 404)
    found = client.get("/search", params={"q": ANSWER.lower()})
    assert found.status_code == 200
    assert (f"<mark>{ANSWER}</mark>" in found.text) is (Aspect.answers in allowed)
    detail = client.get(f"/submissions/{submission.id}", follow_redirects=False)
    history = client.get(f"/submissions/{submission.id}/objectives/1/history", follow_redirects=False)
    if user is None:
        assert detail.status_code == 303 and history.status_code == 303  # to the sign-in page
        assert client.get(f"/api/v1/submissions/{submission.id}").status_code == 401
        return
    assert detail.status_code == (200 if Aspect.answers in allowed else 404)
    exported = client.get("/exports/download", params={"format": "csv", "dataset": "objective_reports"})
    assert exported.status_code == 200
    assert (ANSWER in exported.content.decode("utf-8-sig")) is (Aspect.answers in allowed)
    api = client.get(f"/api/v1/submissions/{submission.id}/objectives/1", headers=auth_for(session, user))
    assert api.status_code == (200 if Aspect.answers in allowed else 404)
    assert (ANSWER in api.text) is (Aspect.answers in allowed)

    # History: earlier text of the review.
    assert history.status_code == (200 if Aspect.history in allowed else 404)
    assert (EARLIER in history.text) is (Aspect.history in allowed)
    if Aspect.answers in allowed:
        objective = client.get(f"/submissions/{submission.id}/objectives/1")
        assert objective.status_code == 200
        link = f"/submissions/{submission.id}/objectives/1/history"
        assert (link in objective.text) is (Aspect.history in allowed)  # no link to a page that would be 404
        # Decisions and their reasons; threads.
        assert (REASON in detail.text) is (Aspect.decisions in allowed)
        assert (THREAD in detail.text) is (Aspect.threads in allowed)
        assert (THREAD in objective.text) is (Aspect.threads in allowed)
    for page in (profile.text, found.text):
        assert EARLIER not in page and REASON not in page and THREAD not in page


# ---- organisations' contributions: CONTRIBUTION_READS, walked reader × status through the pages and the API -------

CONTRIBUTED = "Quetzalcontribution"
MODERATION = "Please cite sources."  # the reason of a return or decline (tests/contributions/helpers.py)


def test_the_contribution_table_keeps_its_promises() -> None:
    from app.contributions.models import ContributionStatus
    from app.visibility import CONTRIBUTION_READS, ContributionReader

    assert set(CONTRIBUTION_READS) == set(ContributionReader)
    visitor = CONTRIBUTION_READS[ContributionReader.visitor]
    for who, row in CONTRIBUTION_READS.items():
        assert set(row) == set(ContributionStatus)
        for status, aspects in row.items():
            assert visitor[status] <= aspects, (who, status)  # a signed-in user reads at least what the public reads
    assert {s for s, a in visitor.items() if a} == {ContributionStatus.accepted}  # the public: accepted only
    assert all(Aspect.decisions not in a for a in visitor.values())  # moderation stays between them
    for who in (ContributionReader.focal_point, ContributionReader.preparer, ContributionReader.other_organisation):
        assert CONTRIBUTION_READS[who] == visitor


@pytest.mark.parametrize("status", ["draft", "submitted", "returned", "accepted", "declined"])
@pytest.mark.parametrize(
    "who", ["visitor", "focal_point", "preparer", "own_organisation", "other_organisation", "secretariat", "admin"]
)
def test_each_reader_reads_contributions_as_the_table_allows(
    client: TestClient, session: Session, who: str, status: str
) -> None:
    from app.contributions import service
    from app.contributions.models import ContributionStatus
    from app.visibility import CONTRIBUTION_READS, ContributionReader
    from tests.contributions.helpers import in_status, stakeholder

    owner = stakeholder(session)
    cycle = make_cycle(session)
    contribution, _u = in_status(session, ContributionStatus(status), user=owner, cycle=cycle, objectives=(4,))
    if status in ("draft", "returned"):
        service.save_part(
            session,
            user=owner,
            contribution=contribution,
            part="objective:4",
            form={"what_we_did": [CONTRIBUTED]},
            version=service.part_version(contribution, "objective:4"),
        )
    else:
        from app.contributions.models import ContributionAnswer

        answer = next(a for a in contribution.answers if a.part == "objective:4" and a.key == "what_we_did")
        session.get(ContributionAnswer, answer.id).text = CONTRIBUTED  # type: ignore[union-attr]
        session.get(ContributionAnswer, answer.id).value = CONTRIBUTED  # type: ignore[union-attr]
        session.flush()
    allowed = CONTRIBUTION_READS[ContributionReader(who)][ContributionStatus(status)]
    users = {
        "focal_point": lambda: make_user(session, role=Role.focal_point, country="PHL"),
        "preparer": lambda: make_user(session, role=Role.preparer),
        "own_organisation": lambda: owner,
        "other_organisation": lambda: stakeholder(session),
        "secretariat": lambda: make_user(session, role=Role.secretariat),
        "admin": lambda: make_user(session, role=Role.admin),
    }
    user = users[who]() if who != "visitor" else None
    if user is not None:
        sign_in(client, user)
    page = client.get(f"/contributions/{contribution.id}")
    assert page.status_code == (200 if Aspect.answers in allowed else 404)
    assert (CONTRIBUTED in page.text) is (Aspect.answers in allowed)
    has_reason = status in ("returned", "declined", "accepted")  # the helper gives each decision a reason
    assert (MODERATION in page.text) is (has_reason and Aspect.decisions in allowed)
    objective = client.get("/dashboards/objectives/4")
    assert (CONTRIBUTED in objective.text) is (status == "accepted")  # published inputs only, for every reader
    found = client.get("/search", params={"q": CONTRIBUTED.lower()})
    assert (f"<mark>{CONTRIBUTED}</mark>" in found.text) is (status == "accepted")
    if user is None:
        assert client.get("/api/v1/contributions").status_code == 401
        return
    api = client.get(f"/api/v1/contributions?cycle={cycle.id}", headers=auth_for(session, user))
    assert api.status_code == 200
    assert (CONTRIBUTED in api.text) is (Aspect.answers in allowed)
