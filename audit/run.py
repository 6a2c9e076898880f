"""Running the audit: gather the facts once, apply every rule, keep each finding once."""

from __future__ import annotations

from collections.abc import Iterable

from mmrare.audit.facts import gather
from mmrare.audit.model import KINDS, AuditConfig, AuditResult
from mmrare.audit.rules import RULES
from mmrare.audit.storage import store_audit
from mmrare.core.progress import Progress, no_progress
from mmrare.graph.store import GraphStore


class LeakageAudit:
    def __init__(self, store: GraphStore, config: AuditConfig | None = None) -> None:
        self.store, self.config = store, config or AuditConfig()

    def run(self, tracks: Iterable[str] = (), progress: Progress = no_progress) -> AuditResult:
        progress("gathering facts", 0, len(RULES) + 1)
        facts = gather(self.store, self.config, tracks)
        result = AuditResult(self.config, audited=sorted(facts.items))
        if not facts.items:
            return result
        findings = []
        for k, rule in enumerate(RULES, start=1):
            progress(rule.__name__.replace("_", " "), k, len(RULES) + 1)
            findings += rule(facts, self.config)
        unique = {(f.item_id, f.kind, f.path): f for f in findings}
        result.findings = sorted(unique.values(), key=lambda f: (f.item_id, KINDS.index(f.kind), f.path))
        return result


def audit_and_store(
    store: GraphStore,
    tracks: Iterable[str] = (),
    config: AuditConfig | None = None,
    progress: Progress = no_progress,
) -> AuditResult:
    """Run the audit and replace the stored findings of its configuration."""
    result = LeakageAudit(store, config).run(tracks, progress)
    store_audit(store, result)
    return result
