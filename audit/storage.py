"""Findings into the graph: LeakageFinding nodes under HAS_FINDING, and Item.leakFree."""

from __future__ import annotations

from mmrare.audit.facts import item_ref
from mmrare.audit.model import AuditResult
from mmrare.graph.model import NodeRef
from mmrare.graph.store import GraphStore, RelRow, Where


def store_audit(store: GraphStore, result: AuditResult) -> None:
    """Replace the findings of this audit configuration and set Item.leakFree on every audited item."""
    old = store.select(
        "LeakageFinding", [Where("auditConfig", "eq", result.config.hash), Where("itemId", "in", result.audited)]
    )
    rows = [
        {
            "findingId": f.finding_id(result.config),
            "kind": f.kind,
            "severity": f.severity,
            "explanation": f.explanation,
            "path": list(f.path),
            "itemId": f.item_id,
            "auditConfig": result.config.hash,
        }
        for f in result.findings
    ]
    leaky = result.leaky
    with store.transaction() as tx:
        tx.delete_nodes([n.ref for n in old])
        tx.upsert_nodes("LeakageFinding", rows)
        tx.upsert_rels(
            "HAS_FINDING",
            [
                RelRow(item_ref(f.item_id), NodeRef("LeakageFinding", f.finding_id(result.config)))
                for f in result.findings
            ],
        )
        tx.upsert_nodes(
            "Item",
            [{"itemId": i, "leakFree": i not in leaky, "auditConfig": result.config.hash} for i in result.audited],
        )
