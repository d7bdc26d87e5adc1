"""The whole project as JSON, for other systems: settings shown on documents, variant, roles, phases, cells.

The shape is declared once, as the pydantic models in :mod:`raci_gen.input.schema`
(``MatrixDocument``); ``raci-gen schema`` publishes it as ``schemas/matrix.schema.json``.
Keys keep the YAML's names; cells are written as in the documents (``A/R``). Keys come in a
fixed order and the only time is the document's date, so the same input gives the same bytes.
"""

from __future__ import annotations

import json

from raci_gen.documents.document import Document

FORMAT_VERSION = 1


def json_data(document: Document) -> dict:
    matrix = document.matrix
    variant = matrix.variant
    return {
        "format": FORMAT_VERSION,
        "generator": document.generator,
        "input": document.digest,
        "title": document.title,
        "project": document.project,
        "version": document.version,
        "author": document.author,
        "date": document.date,
        "variant": {
            "name": variant.name,
            "letters": [{"code": l.code, "name": l.name, "meaning": l.meaning, "colour": l.fill}
                        for l in variant.letters],
            "combinations": ["/".join(sorted(c, key=variant.order.index)) for c in variant.combinations],
        },
        "roles": [{
            "id": r.id, "name": r.name, "similar": list(r.similar), "description": r.description,
            "people": [{"name": p.name, "email": p.email, "team": p.team,
                        # only when given: the JSON of a project without dates keeps its bytes
                        **({"from": p.start.isoformat()} if p.start else {}),
                        **({"until": p.until.isoformat()} if p.until else {}),
                        **({"note": p.note} if p.note else {}),
                        # only when given: the JSON of a project without handles keeps its bytes
                        **({"handles": [h.text for h in p.handles]} if p.handles else {})} for p in r.people],
            **({"handles": [h.text for h in r.handles]} if r.handles else {}),
        } for r in matrix.roles],
        "phases": [{
            "name": phase.name, "description": phase.description,
            "activities": [{
                "id": a.id, "name": a.name, "description": a.description,
                "raci": {c.role_id: c.text for c in a.cells if c.letters},
                # only on a sign-off: the JSON of a project without sign-offs keeps its bytes
                **({"sign-off": True} if a.sign_off else {}),
                # only where given: the JSON of a project without paths keeps its bytes
                **({"paths": [p.pattern for p in a.paths]} if a.paths else {}),
            } for a in phase.activities],
        } for phase in matrix.phases],
    }


def render_json(document: Document) -> bytes:
    return (json.dumps(json_data(document), indent=2, ensure_ascii=False) + "\n").encode("utf-8")
