"""The whole review on one page (and as a PDF), "Check your answers" before submitting, and the next part to
complete on every form."""

from __future__ import annotations

import io

from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from app.auth.models import Role
from app.comments.service import open_thread
from app.review import service as review
from app.submissions import service
from app.submissions.models import SubmissionStatus
from tests.commitments.helpers import make_commitment
from tests.factories import complete_submission, make_submission, make_user, post_form, set_answers, sign_in


def test_the_whole_review_in_the_questionnaires_order_with_pledges_threads_and_who_changed_it(
    client: TestClient, session: Session
) -> None:
    focal = make_user(session, role=Role.focal_point, country="PHL")
    focal.name = "Maria Santos"
    submission = make_submission(session, focal_point=focal)
    complete_submission(session, submission)
    pledge = make_commitment(session, country="PHL")
    service.save_answer(session, user=focal, submission=submission, part="objective:2", key="commitments",
                        value=[pledge.reference], version=0)  # fmt: skip
    set_answers(session, submission, "objective:23", {"narrative": "Cooperation with neighbours grew."})
    reviewer = make_user(session, role=Role.secretariat)
    service.submit(session, user=focal, submission=submission)
    open_thread(session, user=reviewer, submission=submission, part="objective:3", body="Which year is this?")
    sign_in(client, reviewer)
    page = client.get(f"/submissions/{submission.id}/whole")
    assert page.status_code == 200
    text = page.text
    order = [text.index('id="part-section-preparation"'), text.index('id="part-objective-1"'),
             text.index('id="part-objective-2"'), text.index('id="part-objective-23"')]  # fmt: skip
    assert order == sorted(order)
    assert "Cooperation with neighbours grew." in text
    assert f'href="/commitments/{pledge.id}"' in text and pledge.title in text  # the pledge linked
    assert "Which year is this?" in text  # the open thread, which the reviewer can answer from here
    assert "Last changed by Maria Santos" in text
    assert 'name="reason:objective:1"' in text and 'form="decide-form"' in text  # marks parts for change

    preparer = make_user(session, role=Role.preparer)
    sign_in(client, preparer)
    assert client.get(f"/submissions/{submission.id}/whole").status_code == 404  # submitted: not the preparer's
    other = make_user(session, role=Role.focal_point, country="IND")
    sign_in(client, other)
    assert client.get(f"/submissions/{submission.id}/whole").status_code == 404


def test_the_whole_review_as_a_pdf(client: TestClient, session: Session) -> None:
    from pypdf import PdfReader

    focal = make_user(session, role=Role.focal_point, country="PHL")
    submission = make_submission(session, focal_point=focal)
    complete_submission(session, submission)
    set_answers(session, submission, "objective:7", {"narrative": "Shelters opened in three provinces."})
    service.submit(session, user=focal, submission=submission)
    reviewer = make_user(session, role=Role.secretariat)
    open_thread(session, user=reviewer, submission=submission, part="objective:7", body="How many beds?")
    review.request_changes(session, user=reviewer, submission=submission, reason="", parts=["objective:7"],
                           part_reasons={"objective:7": "Name the provinces."}, version=None)  # fmt: skip
    sign_in(client, focal)
    response = client.get(f"/submissions/{submission.id}/whole.pdf")
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    words = " ".join(page.extract_text() for page in reader.pages)
    assert "Voluntary GCM review of Philippines" in words
    assert "Shelters opened in three provinces." in words
    assert "Name the provinces." in words and "How many beds?" in words  # the part's reason, the open thread
    assert "1 / " in words  # page numbers
    assert words.index("Objective 1:") < words.index("Objective 7:") < words.index("Objective 23:")
    assert abs(float(reader.pages[0].mediabox.width) - 595.3) < 1  # A4


def test_check_your_answers_then_submit(client: TestClient, session: Session) -> None:
    focal = make_user(session, role=Role.focal_point, country="PHL")
    submission = make_submission(session, focal_point=focal)
    complete_submission(session, submission)
    set_answers(session, submission, "section:next_steps", {"next_steps": None})
    sign_in(client, focal)
    detail = client.get(f"/submissions/{submission.id}").text
    assert f'href="/submissions/{submission.id}/check"' in detail
    assert f'action="/submissions/{submission.id}/submit"' not in detail  # submitting goes through the check
    check = client.get(f"/submissions/{submission.id}/check")
    assert check.status_code == 200
    assert f'href="/submissions/{submission.id}/sections/preparation">Change' in check.text
    assert "1 part is still incomplete" in check.text
    refused = post_form(client, f"/submissions/{submission.id}/submit")
    assert refused.status_code == 422
    assert 'class="error-summary"' in refused.text and "autofocus" in refused.text
    assert 'href="#part-section-next_steps"' in refused.text
    assert "Check your answers before submitting" in refused.text
    set_answers(session, submission, "section:next_steps", {"next_steps": "A plan by 2027."})
    assert post_form(client, f"/submissions/{submission.id}/submit", follow_redirects=False).status_code == 303
    session.refresh(submission)
    assert submission.status is SubmissionStatus.submitted


def test_every_form_names_the_next_part_still_to_complete(client: TestClient, session: Session) -> None:
    focal = make_user(session, role=Role.focal_point, country="PHL")
    submission = make_submission(session, focal_point=focal)
    complete_submission(session, submission)
    set_answers(session, submission, "objective:9", {"narrative": None})
    set_answers(session, submission, "objective:4", {"narrative": None})
    sign_in(client, focal)
    after_five = client.get(f"/submissions/{submission.id}/objectives/5").text
    assert "Next part still to complete:" in after_five
    assert f'href="/submissions/{submission.id}/objectives/9">Objective 9' in after_five  # after this one first
    after_nine = client.get(f"/submissions/{submission.id}/objectives/9").text
    assert f'href="/submissions/{submission.id}/objectives/4">Objective 4' in after_nine  # then from the start
    set_answers(session, submission, "objective:4", {"narrative": "Done."})
    last = client.get(f"/submissions/{submission.id}/objectives/9").text
    assert "No other part is waiting for you." in last and f'href="/submissions/{submission.id}/check"' in last


def test_reopening_an_approved_review_with_a_reason_per_part(client: TestClient, session: Session) -> None:
    focal = make_user(session, role=Role.focal_point, country="PHL")
    submission = make_submission(session, focal_point=focal)
    complete_submission(session, submission)
    service.submit(session, user=focal, submission=submission)
    reviewer = make_user(session, role=Role.secretariat)
    review.approve(session, user=reviewer, submission=submission, version=None)
    sign_in(client, reviewer)
    page = client.get(f"/submissions/{submission.id}/whole").text
    assert "Reopen the marked parts" in page and f'href="/review/submissions/{submission.id}/publish"' in page
    form = {"parts": ["objective:2"], "reason:objective:2": "A figure is wrong.", "reason": "", "origin": "whole",
            "version": submission.version}  # fmt: skip
    assert (
        post_form(client, f"/review/submissions/{submission.id}/reopen", form, follow_redirects=False).status_code
        == 303
    )
    session.refresh(submission)
    assert submission.status is SubmissionStatus.changes_requested
    detail = client.get(f"/submissions/{submission.id}").text
    assert "A figure is wrong." in detail  # in the decisions on record, beside its part
