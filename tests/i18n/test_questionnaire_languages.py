"""A questionnaire's texts in the reader's language: the form shows the question, hint and choices in the page's
language where the questionnaire has them, and the English text marked ``lang="en"`` where it has not."""

from __future__ import annotations

import re

from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from app.auth.models import Role
from app.i18n import pick, use_locale
from app.questionnaires import service
from app.questionnaires.schemas import Question
from tests.factories import make_cycle, make_submission, make_user, sign_in


def test_pick_prefers_the_language_then_english_then_the_default() -> None:
    texts = {"en": "Budget", "fr": "Budget (fr)"}
    assert pick(texts, "k", "fr") == ("Budget (fr)", "fr")
    assert pick(texts, "k", "ru") == ("Budget", "en")
    assert pick({}, "k", "ru") == ("k", "ru")
    with use_locale("fr"):
        assert pick(texts)[0] == "Budget (fr)"
        question = Question.model_validate({"key": "k", "type": "short_text", "label": texts})
        assert question.text() == "Budget (fr)"
        assert question.text("en") == "Budget"


def test_the_form_speaks_the_readers_language_and_marks_english_fallbacks(client: TestClient, session: Session) -> None:
    cycle = make_cycle(session)
    data = service.definition_for(session, cycle).as_json()
    section = data["sections"][0]
    section["label"]["fr"] = "Comment l’examen a été préparé"
    section["questions"].append(
        {
            "key": "partners",
            "type": "single_choice",
            "label": {"en": "Who took part?", "fr": "Qui a participé ?", "ru": "Кто участвовал?"},
            "hint": {"en": "Choose the widest circle."},
            "choices": [
                {"value": "gov", "label": {"en": "Government only", "fr": "Le gouvernement seul"}},
                {"value": "all", "label": {"en": "Whole of society"}},
            ],
        }
    )
    service.replace_definition(session, cycle=cycle, data=data)
    submission = make_submission(session, cycle=cycle)
    sign_in(client, make_user(session, role=Role.secretariat))
    url = f"/submissions/{submission.id}/sections/{section['key']}"

    french = client.get(url + "?lang=fr").text
    assert re.search(r"<legend>Qui a participé \?", french)  # in the page's language: no lang of its own
    assert '<span lang="en">Choose the widest circle.</span>' in french
    assert "> Le gouvernement seul</label>" in french
    assert '> <span lang="en">Whole of society</span></label>' in french

    russian = client.get(url + "?lang=ru").text
    assert "<legend>Кто участвовал?" in russian
    assert '<span lang="en">Government only</span>' in russian

    chinese = client.get(url + "?lang=zh").text
    assert '<legend><span lang="en">Who took part?</span>' in chinese

    english = client.get(url + "?lang=en").text
    assert "<legend>Who took part?" in english
    assert 'lang="en">Who took part?' not in english
