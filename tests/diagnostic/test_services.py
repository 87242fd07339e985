"""Services and selectors of the diagnostic: the shipped questionnaire, starting, autosaved
answers, submission, validation and send-back, sharing, peers, and the label's interface."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied

from mediane.core.errors import Conflict, ValidationFailed
from mediane.core.models import AuditEntry
from mediane.diagnostic import selectors, services
from mediane.diagnostic.models import (
    Answer,
    DiagnosticStatus,
    Question,
    QuestionnaireVersion,
    ReviewEvent,
)
from mediane.notifications.models import Notification
from tests.diagnostic.helpers import answer_all, make_city, secretariat_user, validated

pytestmark = pytest.mark.django_db


def test_scoring_module_imports_no_django():
    source = Path(selectors.scoring.__file__).read_text(encoding="utf-8")
    assert "django" not in source.split('"""', 2)[2]


def test_the_shipped_questionnaire_is_loaded_with_anchors_and_bands():
    version = QuestionnaireVersion.objects.get(code="2025.1")
    assert version.is_published and version.is_shipped
    assert version.dimensions.count() == 8
    assert version.questions.count() == 40
    assert version.questions.filter(kind="indicator").count() == 5
    perso = version.questions.get(kind="personalisation")
    assert perso.code == "2.5"
    assert perso.personalisation["not_applicable"] == {"non": ["2.2", "2.4"]}
    for question in version.questions.exclude(kind="personalisation"):
        assert len(question.anchors) == 5 and all(a["fr"] and a["en"] for a in question.anchors)
        assert question.source
    # A second sync leaves the frozen version alone.
    assert services.questionnaire_sync_shipped() == 0


def test_start_answer_submit_validate_with_audit_and_notifications():
    city = make_city()
    secretariat = secretariat_user()
    diagnostic = services.diagnostic_start(actor=city.editor, organisation=city.org, year=2025)
    assert diagnostic.population == 30_000 and diagnostic.status == DiagnosticStatus.DRAFT
    with pytest.raises(Conflict):
        services.diagnostic_start(actor=city.admin, organisation=city.org, year=2025)
    # A member reads but does not answer.
    with pytest.raises(PermissionDenied):
        services.answer_save(actor=city.member, diagnostic=diagnostic, question_code="1.1", level=2)
    services.answer_save(actor=city.admin, diagnostic=diagnostic, question_code="1.1", level=2)
    with pytest.raises(ValidationFailed, match="il reste|Il reste"):
        services.diagnostic_submit(actor=city.editor, diagnostic=diagnostic)
    answer_all(diagnostic, city.editor, level=4)
    answer = Answer.objects.get(diagnostic=diagnostic, question__code="1.1")
    assert answer.level == 4 and answer.answered_by == city.editor
    services.diagnostic_submit(actor=city.editor, diagnostic=diagnostic)
    diagnostic.refresh_from_db()
    assert diagnostic.status == DiagnosticStatus.SUBMITTED
    assert Notification.objects.filter(recipient=city.admin, topic="diagnostic").exists()
    # Frozen once submitted; the editor cannot validate.
    with pytest.raises(PermissionDenied):
        services.answer_save(actor=city.editor, diagnostic=diagnostic, question_code="1.1", level=1)
    with pytest.raises(PermissionDenied):
        services.diagnostic_validate(actor=city.editor, diagnostic=diagnostic)
    services.diagnostic_validate(actor=secretariat, diagnostic=diagnostic, comment="Merci")
    diagnostic.refresh_from_db()
    assert (
        diagnostic.status == DiagnosticStatus.VALIDATED and diagnostic.validated_by == secretariat
    )
    assert list(diagnostic.events.values_list("decision", flat=True)) == ["submitted", "validated"]
    assert AuditEntry.objects.filter(action="diagnostic.validate").exists()
    # The label's interface.
    assert selectors.latest_validated(city.org) == diagnostic
    levels = selectors.dimension_levels(diagnostic)
    assert set(levels) == {f"D{n}" for n in range(1, 9)}
    assert all(value == 4.0 for value in levels.values())


def test_send_back_needs_a_comment_and_reopens_the_diagnostic():
    city = make_city()
    diagnostic = services.diagnostic_start(actor=city.editor, organisation=city.org, year=2025)
    answer_all(diagnostic, city.editor)
    services.diagnostic_submit(actor=city.editor, diagnostic=diagnostic)
    with pytest.raises(ValidationFailed):
        services.diagnostic_send_back(actor=city.admin, diagnostic=diagnostic, comment="  ")
    services.diagnostic_send_back(actor=city.admin, diagnostic=diagnostic, comment="Preuves en 4.1")
    diagnostic.refresh_from_db()
    assert diagnostic.status == DiagnosticStatus.DRAFT
    assert ReviewEvent.objects.filter(decision="sent_back", comment="Preuves en 4.1").exists()
    assert Notification.objects.filter(recipient=city.editor, topic="diagnostic").exists()
    assert selectors.latest_validated(city.org) is None


def test_answer_validation_messages_and_clearing():
    city = make_city()
    diagnostic = services.diagnostic_start(actor=city.editor, organisation=city.org, year=2025)
    with pytest.raises(ValidationFailed, match="entre 1 et 5"):
        services.answer_save(actor=city.editor, diagnostic=diagnostic, question_code="1.1", level=9)
    with pytest.raises(ValidationFailed, match="nombre"):
        services.answer_save(
            actor=city.editor, diagnostic=diagnostic, question_code="2.1", value="beaucoup"
        )
    with pytest.raises(ValidationFailed, match="choix"):
        services.answer_save(
            actor=city.editor, diagnostic=diagnostic, question_code="2.5", choice="peut-être"
        )
    with pytest.raises(ValidationFailed, match="n'existe pas"):
        services.answer_save(actor=city.editor, diagnostic=diagnostic, question_code="9.9", level=1)
    services.answer_save(
        actor=city.editor, diagnostic=diagnostic, question_code="2.1", value="92,5"
    )
    assert selectors.result_of(diagnostic).question_levels["2.1"] == 4  # 20k-50k: 90 ≤ v < 96
    services.answer_save(actor=city.editor, diagnostic=diagnostic, question_code="2.1")
    assert not Answer.objects.filter(diagnostic=diagnostic).exists()


def test_personalisation_makes_questions_not_applicable():
    city = make_city()
    diagnostic = services.diagnostic_start(actor=city.editor, organisation=city.org, year=2025)
    answer_all(diagnostic, city.editor, level=2, choice="non")
    services.answer_save(actor=city.editor, diagnostic=diagnostic, question_code="2.1", level=5)
    services.answer_save(actor=city.editor, diagnostic=diagnostic, question_code="2.3", level=5)
    result = selectors.result_of(diagnostic)
    assert result.not_applicable == {"2.2", "2.4"}
    assert result.dimensions["D2"] == 5.0  # 2.2 and 2.4 (answered 2) are left out


def test_only_cities_and_their_editors_start_a_diagnostic():
    city = make_city()
    with pytest.raises(PermissionDenied):
        services.diagnostic_start(actor=city.member, organisation=city.org, year=2025)
    city.org.kind = "pme"
    city.org.save()
    with pytest.raises(PermissionDenied):
        services.diagnostic_start(actor=city.admin, organisation=city.org, year=2025)


def test_peers_need_three_validated_cities_latest_year_only_and_names_only_if_shared():
    secretariat = secretariat_user()
    a, b, c = make_city(name="Alpha"), make_city(name="Bêta"), make_city(name="Gamma")
    validated(a, 2024, 1, secretariat)
    validated(a, 2025, 2, secretariat, share=True)
    validated(b, 2025, 4, secretariat)
    assert not selectors.network_stats(band="20k-50k").available
    # A submitted (not validated) diagnostic does not count.
    draft = services.diagnostic_start(actor=c.editor, organisation=c.org, year=2025)
    answer_all(draft, c.editor, level=5)
    services.diagnostic_submit(actor=c.editor, diagnostic=draft)
    assert selectors.network_stats().count == 2
    services.diagnostic_validate(actor=c.admin, diagnostic=draft)
    stats = selectors.network_stats(band="20k-50k")
    assert stats.count == 3 and stats.overall.median == 4.0  # 2 (2025, not 2024), 4, 5
    assert stats.dimensions["D1"].q1 == 3.0 and stats.dimensions["D1"].q3 == 4.5
    names = [row.name for row in selectors.shared_cities(b.member)]
    assert names == ["Alpha"]
    assert selectors.shared_cities(None) == []
    assert not selectors.network_stats(band="lt20k").available


def test_diagnostics_are_read_by_the_city_and_the_secretariat_only():
    city, other = make_city(), make_city()
    diagnostic = services.diagnostic_start(actor=city.editor, organisation=city.org, year=2025)
    assert selectors.diagnostic_get_for(city.member, pk=diagnostic.pk) == diagnostic
    assert selectors.diagnostic_get_for(secretariat_user(), pk=diagnostic.pk) == diagnostic
    with pytest.raises(selectors.DiagnosticNotFound):
        selectors.diagnostic_get_for(other.admin, pk=diagnostic.pk)
    assert list(selectors.diagnostics_mine(other.admin)) == []


def test_sharing_is_the_city_admins_choice():
    city = make_city()
    diagnostic = services.diagnostic_start(actor=city.editor, organisation=city.org, year=2025)
    with pytest.raises(PermissionDenied):
        services.diagnostic_set_sharing(actor=city.editor, diagnostic=diagnostic, share_name=True)
    services.diagnostic_set_sharing(actor=city.admin, diagnostic=diagnostic, share_name=True)
    diagnostic.refresh_from_db()
    assert diagnostic.share_name


def test_question_count_per_dimension_in_shipped_data():
    counts = [
        Question.objects.filter(version__code="2025.1", dimension__code=f"D{n}").count()
        for n in range(1, 9)
    ]
    assert counts == [5, 5, 5, 5, 6, 4, 5, 5]
