"""API of the diagnostic: the caller's diagnostics with their scores (read-only,
permission-aware through `mediane.diagnostic.selectors`) and the network's anonymous figures
per size band (public, never on fewer than 3 cities)."""

from __future__ import annotations

from datetime import datetime

from ninja import Field, Query, Router, Schema

from mediane.api.auth import request_user
from mediane.api.errors import READ_ERRORS, error_responses
from mediane.api.pagination import PageIn, PageOut, page
from mediane.diagnostic import scoring, selectors
from mediane.diagnostic.models import Diagnostic

router = Router(tags=["Diagnostic"])


class DiagnosticOut(Schema):
    id: int
    city: str
    city_slug: str
    year: int
    status: str = Field(description="draft (en cours), submitted (soumis) ou validated (validé).")
    questionnaire_version: str
    size_band: str = Field(description="lt20k, 20k-50k, 50k-100k ou gt100k.")
    share_name: bool
    overall: float | None = Field(None, description="Score global de 1 à 5.")
    dimensions: dict[str, float] = Field(
        description="Score de chaque dimension notée (code → 1 à 5) ; absente si sans objet."
    )
    complete: bool
    missing: list[str] = Field(description="Codes des questions applicables sans réponse.")
    submitted_at: datetime | None = None
    validated_at: datetime | None = None
    url: str


class AnswerOut(Schema):
    question: str
    level: int | None = None
    value: float | None = None
    choice: str = ""
    comment: str = ""
    scored_level: int | None = Field(None, description="Niveau retenu (indicateur converti).")
    not_applicable: bool = False
    answered_at: datetime


class DiagnosticDetailOut(DiagnosticOut):
    answers: list[AnswerOut]


class DiagnosticsOut(PageOut):
    results: list[DiagnosticOut]


class SpreadOut(Schema):
    count: int
    q1: float | None = None
    median: float | None = None
    q3: float | None = None


class GroupStatsOut(Schema):
    group: str = Field(description="network (tout le réseau) ou le code de la tranche.")
    cities: int
    available: bool = Field(description="Faux sous 3 villes : aucun chiffre n'est donné.")
    overall: SpreadOut
    dimensions: dict[str, SpreadOut]


class NetworkStatsOut(Schema):
    minimum_cities: int
    groups: list[GroupStatsOut]


def _out(diagnostic: Diagnostic, result: scoring.Result) -> dict[str, object]:
    return {
        "id": diagnostic.pk,
        "city": diagnostic.organisation.name,
        "city_slug": diagnostic.organisation.slug,
        "year": diagnostic.year,
        "status": diagnostic.status,
        "questionnaire_version": diagnostic.version.code,
        "size_band": selectors.band_of(diagnostic),
        "share_name": diagnostic.share_name,
        "overall": result.overall,
        "dimensions": result.dimensions,
        "complete": result.complete,
        "missing": result.missing,
        "submitted_at": diagnostic.submitted_at,
        "validated_at": diagnostic.validated_at,
        "url": diagnostic.get_absolute_url(),
    }


@router.get(
    "/diagnostics/mine",
    response={200: DiagnosticsOut, **error_responses(*READ_ERRORS)},
    operation_id="diagnostics_mine",
    summary="Lister les diagnostics de mes villes",
    description=(
        "Les diagnostics des villes dont l'appelant est membre (tous pour le secrétariat), avec "
        "leurs scores ; paginés (`limit`, `offset`). Vide sans jeton."
    ),
)
def diagnostics_mine(request, params: Query[PageIn]):  # type: ignore[no-untyped-def]
    limit, offset = params.window()
    qs = selectors.diagnostics_mine(request_user(request))
    rows = [_out(d, selectors.result_of(d)) for d in qs[offset : offset + limit]]
    return page(count=qs.count(), limit=limit, offset=offset, results=rows)


@router.get(
    "/diagnostics/network-stats",
    response={200: NetworkStatsOut, **error_responses(429)},
    operation_id="diagnostic_network_stats",
    summary="Chiffres anonymes du réseau par tranche de population",
    description=(
        "Médiane et quartiles du score global et des dimensions, sur le dernier diagnostic "
        "validé de chaque ville, pour tout le réseau et chaque tranche ; rien sous 3 villes."
    ),
)
def diagnostic_network_stats(request):  # type: ignore[no-untyped-def]
    groups = []
    for code in ("network", *scoring.SIZE_BAND_CODES):
        stats = selectors.network_stats(band=None if code == "network" else code)
        groups.append(
            {
                "group": code,
                "cities": stats.count,
                "available": stats.available,
                "overall": stats.overall.__dict__,
                "dimensions": {k: v.__dict__ for k, v in stats.dimensions.items()},
            }
        )
    return {"minimum_cities": scoring.MIN_PEERS, "groups": groups}


@router.get(
    "/diagnostics/{diagnostic_id}",
    response={200: DiagnosticDetailOut, **error_responses(401, 404, 422, 429)},
    operation_id="diagnostic_get",
    summary="Lire un diagnostic",
    description=(
        "Un diagnostic avec ses scores et ses réponses ; 404 si l'appelant n'est pas membre de "
        "la ville ni du secrétariat, exactement comme s'il n'existait pas."
    ),
)
def diagnostic_get(request, diagnostic_id: int):  # type: ignore[no-untyped-def]
    diagnostic = selectors.diagnostic_get_for(request_user(request), pk=diagnostic_id)
    result = selectors.result_of(diagnostic)
    out = _out(diagnostic, result)
    out["answers"] = [
        {
            "question": code,
            "level": a.level,
            "value": float(a.value) if a.value is not None else None,
            "choice": a.choice,
            "comment": a.comment,
            "scored_level": result.question_levels.get(code),
            "not_applicable": code in result.not_applicable,
            "answered_at": a.answered_at,
        }
        for code, a in sorted(selectors.answers_by_code(diagnostic).items())
    ]
    return out
