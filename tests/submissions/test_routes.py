from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from app.audit.models import AuditEvent
from app.auth.models import Role
from app.submissions import queries, service
from app.submissions.models import Answer, ObjectiveReport, Submission, SubmissionSection, SubmissionStatus
from tests.factories import (
    complete_submission,
    make_cycle,
    make_submission,
    make_user,
    post_form,
    set_answers,
    sign_in,
)

AUTOSAVE = {"X-Autosave": "1"}


def stored(session: Session, submission: Submission, part: str) -> dict[str, object]:
    """The part's answers as the database holds them now."""
    session.expire_all()
    fresh = queries.get_submission(session, submission.id)
    assert fresh is not None
    return service.part_values(fresh, part)


def report_form(report: ObjectiveReport, **overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "version": report.version,
        "reporting": "reported",
        "progress_rating": "3",
        "narrative": "We adopted a national data strategy.",
        "laws_and_policies": "",
        "good_practices": "",
        "challenges": "",
        "partners": "",
        "principles": ["a", "c"],
    }
    return {**data, **overrides}


def test_focal_point_home_shows_deadline_and_offers_to_start(client: TestClient, session: Session) -> None:
    fp = make_user(session, role=Role.focal_point, country="PHL")
    make_cycle(session, days_to_deadline=12)
    sign_in(client, fp)
    page = client.get("/my")
    assert page.status_code == 200
    assert "12 days left" in page.text and "Start the review" in page.text
    started = post_form(client, "/my/submissions", follow_redirects=False)
    assert started.status_code == 303
    home = client.get("/my")
    assert "0 of 27 parts complete" in home.text
    assert "Missing: How the review was prepared" in home.text


def test_objective_report_saves_and_keeps_text_over_reload(client: TestClient, session: Session) -> None:
    submission = make_submission(session)
    fp = make_user(session, role=Role.focal_point, country="PHL")
    sign_in(client, fp)
    report = next(r for r in submission.objective_reports if r.objective.number == 1)
    url = f"/submissions/{submission.id}/objectives/1"
    response = post_form(client, url, report_form(report), follow_redirects=False)
    assert response.status_code == 303
    page = client.get(url)
    assert "We adopted a national data strategy." in page.text
    values = stored(session, submission, "objective:1")
    assert values["progress_rating"] == 3 and values["principles"] == ["a", "c"]
    assert values["narrative"] == "We adopted a national data strategy."
    report = session.get(ObjectiveReport, report.id)
    assert report.rating == 3 and report.updated_by_id == fp.id  # the dashboards' figure, derived on save


def test_autosave_answers_with_saved_status_and_new_version(client: TestClient, session: Session) -> None:
    submission = make_submission(session)
    sign_in(client, make_user(session, role=Role.focal_point, country="PHL"))
    section = submission.sections[0]
    url = f"/submissions/{submission.id}/sections/{section.key}"
    loaded = section.version
    response = post_form(client, url, {section.key: "Whole of government.", "version": loaded}, headers=AUTOSAVE)
    assert response.status_code == 200
    assert "Saved at" in response.text
    assert int(response.headers["x-version"]) == loaded + 1


def test_too_long_text_is_refused_beside_the_field_and_kept(client: TestClient, session: Session) -> None:
    submission = make_submission(session)
    sign_in(client, make_user(session, role=Role.focal_point, country="PHL"))
    report = next(r for r in submission.objective_reports if r.objective.number == 2)
    url = f"/submissions/{submission.id}/objectives/2"
    too_long = "x" * 5_001
    response = post_form(client, url, report_form(report, challenges=too_long))
    assert response.status_code == 422
    assert 'id="challenges-error"' in response.text and "Shorten the text to 5,000 characters" in response.text
    assert too_long in response.text  # what the user typed is kept
    assert "We adopted a national data strategy." in response.text
    session.refresh(report)
    assert "narrative" not in stored(session, submission, "objective:2") and report.version == 1


def test_second_editor_gets_a_conflict_view_and_nothing_is_overwritten(
    app, client: TestClient, session: Session
) -> None:
    submission = make_submission(session)
    first = make_user(session, role=Role.focal_point, country="PHL")
    second = make_user(session, role=Role.focal_point, country="PHL")
    other = TestClient(app, base_url="https://127.0.0.1")
    sign_in(client, first)
    sign_in(other, second)
    report = next(r for r in submission.objective_reports if r.objective.number == 3)
    loaded_version = report.version
    url = f"/submissions/{submission.id}/objectives/3"
    assert post_form(client, url, report_form(report, narrative="First editor's text.")).status_code == 200
    # The second editor loaded the same version before the first saved.
    stale = report_form(report, narrative="Second editor's text.", version=loaded_version)
    response = post_form(other, url, stale, headers=AUTOSAVE)
    assert response.status_code == 409
    assert "First editor&#39;s text." in response.text and "Second editor&#39;s text." in response.text
    session.refresh(report)
    assert stored(session, submission, "objective:3")["narrative"] == "First editor's text."
    # Saving again with the version from the conflict stores the merge the second editor has now seen.
    merged = report_form(report, narrative="Merged text.", version=int(response.headers["x-version"]))
    assert post_form(other, url, merged, headers=AUTOSAVE).status_code == 200
    assert stored(session, submission, "objective:3")["narrative"] == "Merged text."


def test_conflict_without_javascript_rerenders_the_form_with_both_versions(
    client: TestClient, session: Session
) -> None:
    submission = make_submission(session)
    sign_in(client, make_user(session, role=Role.focal_point, country="PHL"))
    section = submission.sections[1]
    set_answers(session, submission, f"section:{section.key}", {section.key: "Saved by a colleague."})
    url = f"/submissions/{submission.id}/sections/{section.key}"
    response = post_form(client, url, {section.key: "My own words.", "version": 1})
    assert response.status_code == 409
    assert "Saved by a colleague." in response.text and "My own words." in response.text
    assert f'name="version" value="{section.version}"' in response.text


def test_submit_is_refused_with_the_missing_parts_then_accepted(client: TestClient, session: Session) -> None:
    submission = make_submission(session)
    sign_in(client, make_user(session, role=Role.focal_point, country="PHL"))
    refused = post_form(client, f"/submissions/{submission.id}/submit")
    assert refused.status_code == 422
    assert "How the review was prepared: How the review was prepared" in refused.text
    assert "Objective 1: Data: Progress rating and Progress" in refused.text
    assert submission.status is SubmissionStatus.draft
    complete_submission(session, submission)
    accepted = post_form(client, f"/submissions/{submission.id}/submit", follow_redirects=False)
    assert accepted.status_code == 303
    session.refresh(submission)
    assert submission.status is SubmissionStatus.submitted and submission.submitted_at is not None


def test_not_reported_objective_needs_a_reason(session: Session) -> None:
    from app.submissions.service import checklist

    submission = make_submission(session)
    set_answers(session, submission, "objective:13", {"reporting": "not_reported"})
    item = next(i for i in checklist(session, submission) if i.key == "objective:13")
    assert item.missing == "Why the objective is not reported this cycle"  # the rating and texts are not asked
    set_answers(session, submission, "objective:13", {"not_reported_reason": "Not a national priority this cycle."})
    assert next(i for i in checklist(session, submission) if i.key == "objective:13").complete
    report = next(r for r in submission.objective_reports if r.objective.number == 13)
    assert report.reporting.value == "not_reported"


def test_submitted_review_is_read_only_for_the_focal_point(client: TestClient, session: Session) -> None:
    submission = make_submission(session)
    complete_submission(session, submission)
    sign_in(client, make_user(session, role=Role.focal_point, country="PHL"))
    assert post_form(client, f"/submissions/{submission.id}/submit", follow_redirects=False).status_code == 303
    section = submission.sections[0]
    url = f"/submissions/{submission.id}/sections/{section.key}"
    response = post_form(client, url, {section.key: "Changed after submitting.", "version": section.version})
    assert response.status_code == 409
    assert stored(session, submission, f"section:{section.key}")[section.key] != "Changed after submitting."
    assert "<textarea" not in client.get(url).text


def test_other_country_focal_point_gets_404(client: TestClient, session: Session) -> None:
    submission = make_submission(session)
    sign_in(client, make_user(session, role=Role.focal_point, country="THA"))
    assert client.get(f"/submissions/{submission.id}").status_code == 404
    assert client.get(f"/submissions/{submission.id}/objectives/1").status_code == 404
    section = submission.sections[0]
    url = f"/submissions/{submission.id}/sections/{section.key}"
    assert post_form(client, url, {section.key: "x", "version": 1}).status_code == 404


def test_secretariat_reads_but_cannot_write(client: TestClient, session: Session) -> None:
    submission = make_submission(session)
    sign_in(client, make_user(session, role=Role.secretariat))
    assert client.get(f"/submissions/{submission.id}").status_code == 200
    section = submission.sections[0]
    url = f"/submissions/{submission.id}/sections/{section.key}"
    assert f'<textarea id="{section.key}"' not in client.get(url).text  # (the thread form is the reviewer's own)
    assert post_form(client, url, {section.key: "x", "version": 1}).status_code == 403


def test_preparer_sees_only_accepted_reviews(client: TestClient, session: Session) -> None:
    submission = make_submission(session)
    sign_in(client, make_user(session, role=Role.preparer))
    assert client.get(f"/submissions/{submission.id}").status_code == 404
    submission.status = SubmissionStatus.published
    session.flush()
    assert client.get(f"/submissions/{submission.id}").status_code == 200


def test_saving_records_an_audit_entry_with_a_readable_history(client: TestClient, session: Session) -> None:
    submission = make_submission(session)
    fp = make_user(session, role=Role.focal_point, country="PHL")
    sign_in(client, fp)
    report = next(r for r in submission.objective_reports if r.objective.number == 5)
    url = f"/submissions/{submission.id}/objectives/5"
    post_form(client, url, report_form(report, narrative="Labour agreements with two States."))
    answer = session.scalars(
        select(Answer).where(
            Answer.submission_id == submission.id, Answer.part == "objective:5", Answer.key == "narrative"
        )
    ).one()
    event = session.scalars(
        select(AuditEvent).where(AuditEvent.entity_type == "answer", AuditEvent.entity_id == str(answer.id))
    ).one()
    assert event.user_id == fp.id and event.action.value == "create"
    assert event.after["value"] == "Labour agreements with two States."
    history = client.get(f"{url}/history")
    assert history.status_code == 200
    assert '<ins aria-label="added">Labour agreements with two States.</ins>' in history.text
    assert "— → 3. Under way" in history.text  # the rating's step and words, not its stored number alone
    assert "Guiding principles applied" in history.text and "— → a, c" in history.text


def test_typed_markup_is_shown_as_text(client: TestClient, session: Session) -> None:
    submission = make_submission(session)
    section = submission.sections[0]
    typed = '<script>alert("x")</script> <img src=x onerror=alert(1)> **bold**'
    set_answers(session, submission, f"section:{section.key}", {section.key: typed})
    sign_in(client, make_user(session, role=Role.secretariat))
    page = client.get(f"/submissions/{submission.id}/sections/{section.key}").text
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;" in page and "<strong>bold</strong>" in page


def test_unchanged_autosave_does_not_bump_the_version(client: TestClient, session: Session) -> None:
    submission = make_submission(session)
    sign_in(client, make_user(session, role=Role.focal_point, country="PHL"))
    section: SubmissionSection = submission.sections[2]
    url = f"/submissions/{submission.id}/sections/{section.key}"
    first = post_form(client, url, {section.key: "Same.", "version": 1}, headers=AUTOSAVE)
    second = post_form(client, url, {section.key: "Same.", "version": first.headers["x-version"]}, headers=AUTOSAVE)
    assert first.headers["x-version"] == second.headers["x-version"] == "2"
