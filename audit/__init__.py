"""The ontology-aware leakage audit: `facts` gathers what the rules need from the store in a few
batched queries, `rules` decides each kind from those facts alone, `storage` writes the findings."""

from mmrare.audit.model import KINDS, AuditConfig, AuditResult, Finding
from mmrare.audit.run import LeakageAudit, audit_and_store
from mmrare.audit.storage import store_audit

__all__ = ["KINDS", "AuditConfig", "AuditResult", "Finding", "LeakageAudit", "audit_and_store", "store_audit"]
