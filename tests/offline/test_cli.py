"""``gcm review export|import``: a file written by the command, edited, previewed as counts and lines (dry run:
nothing written), then its changed answers saved as the focal point given by --user."""

from __future__ import annotations

from pathlib import Path

from app import db
from app.auth.models import Role
from app.submissions import queries, service
from tests.factories import make_cycle, make_submission, make_user, set_answers
from tests.offline.files import edit_docx
from tests.offline.test_docx import NARRATIVE, PREP, REPORTING
from tests.test_cli import gcm


def _prep() -> str:
    with db.get_sessionmaker()() as session:
        submission = queries.get_submission(session, 1)
        assert submission is not None
        return str(service.part_values(submission, PREP[0]).get(PREP[1]))


def test_export_then_import_dry_run_then_for_real(cli_db: str, tmp_path: Path) -> None:
    gcm("db", "upgrade")
    gcm("seed")
    with db.get_sessionmaker()() as session:
        focal = make_user(session, role=Role.focal_point, country="MNG", email="focal.mng@example.org")
        submission = make_submission(session, focal_point=focal, cycle=make_cycle(session))
        set_answers(session, submission, PREP[0], {PREP[1]: "Before."}, user=focal)
        cycle_id = submission.review_cycle_id
        session.commit()
    file = tmp_path / "review.docx"
    assert "Wrote" in gcm("review", "export", "--country", "MNG", "--cycle", str(cycle_id), str(file))
    file.write_bytes(edit_docx(file.read_bytes(), {PREP: "After.", NARRATIVE: "Offline.", REPORTING: "Maybe"}))
    output = gcm("review", "import", str(file), "--dry-run")
    assert "2 changed, 0 in conflict, 1 refused" in output
    assert "refused   objective:1 reporting: “Maybe” is not one of the choices." in output
    assert "Dry run: nothing written." in output and _prep() == "Before."
    assert "a focal point of MNG" in gcm("review", "import", str(file), ok=False)
    assert "Saved 2 answer(s)" in gcm("review", "import", str(file), "--user", "focal.mng@example.org")
    assert _prep() == "After."
    assert "0 changed" in gcm("review", "import", str(file), "--dry-run")
