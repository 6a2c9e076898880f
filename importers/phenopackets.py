"""`mmrare import phenopackets`: GA4GH Phenopacket v2 JSON (phenopacket-store) into the graph.

Sources: a zip (the store's `<cohort>/<file>.json` layout, or the repository's
`notebooks/<cohort>/phenopackets/<file>.json`), a folder searched for `*.json`, single JSON files, or
JSONL (optionally gzipped), one packet per line. Each packet is parsed by GA4GH's own protobuf classes
(`phenopackets` package): unknown fields and wrong types are refused with the field named. Strict by
default: any bad packet means nothing is written; `skip_invalid` imports the rest. A re-import of the
same packets changes nothing.

In the graph, per packet: an Item of the `phenopacket` track (the vignette as its question, the OMIM
diagnosis as its answer), the individual as its Case (sex, age, onset, genes and variants kept as facts
of the case, never as question text), HAS_FEATURE edges to Phenotype nodes (with `excluded` and
onset), CITES to a Publication node shared by every case citing the PMID, and ANSWER_IS to the
Orphanet disease when the OMIM id maps uniquely (core/omim_alignment.py).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import zipfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import chain, islice
from pathlib import Path
from typing import Any

from mmrare.core.bulk import in_bulk
from mmrare.core.omim_alignment import OMIM_PROPERTIES, align_omim, omim_index
from mmrare.core.phenopackets import BENCHMARK, TRACK, Feature, PacketCase, Variant, item_index, vignette
from mmrare.core.progress import Progress, no_progress
from mmrare.graph.model import NodeRef
from mmrare.graph.store import GraphStore, RelRow, WriteTx
from mmrare.importers.chunked_writes import replace_rows, write_chunks
from mmrare.importers.problems import ProblemLog
from mmrare.importers.processes import stream_in_processes

MAX_PACKET_BYTES = 20_000_000  # a phenopacket is kilobytes; anything this large is not one


@dataclass(frozen=True)
class PacketText:
    source: str  # file, or file:member, or file:line n
    cohort: str
    text: str


@dataclass
class PhenopacketSummary:
    benchmark: str
    release: str
    packets: int = 0
    items_new: int = 0
    publications: int = 0
    phenotypes_new: int = 0
    alignment: Counter = field(default_factory=Counter)  # outcome (and relation) -> cases
    unaligned: dict[str, str] = field(default_factory=dict)  # OMIM id -> why, for the note
    rejected: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def release_from_name(path: Path) -> str | None:
    """`phenopacket-store_0.1.19.zip` -> '0.1.19'."""
    m = re.match(r"^phenopacket-store[_-](?P<v>[^/]+?)\.(?:zip|jsonl(?:\.gz)?)$", path.name)
    return m["v"] if m else None


def packet_texts(paths: list[Path], problems: ProblemLog) -> Iterator[PacketText]:
    """Every packet's JSON text, with where it came from and its cohort (the folder it sits in)."""
    for path in paths:
        if path.is_dir():
            for member in sorted(path.rglob("*.json")):
                rel = member.relative_to(path)
                yield PacketText(str(member), _cohort(rel.parts), _read_text(member, problems))
        elif path.suffix == ".zip":
            with zipfile.ZipFile(path) as archive:
                for info in sorted(archive.infolist(), key=lambda i: i.filename):
                    name = info.filename
                    if info.is_dir() or not name.endswith(".json") or "__MACOSX" in name:
                        continue
                    where = f"{path.name}:{name}"
                    if info.file_size > MAX_PACKET_BYTES:
                        problems.add(where, "packet", "size", f"{info.file_size} bytes; a phenopacket is far smaller")
                        continue
                    yield PacketText(where, _cohort(Path(name).parts), _decode(archive.read(name), where, problems))
        elif path.name.endswith((".jsonl", ".jsonl.gz")):
            opener = gzip.open if path.name.endswith(".gz") else open
            with opener(path, "rb") as handle:
                for n, line in enumerate(handle, start=1):
                    if line.strip():
                        yield PacketText(f"{path}:line {n}", "", _decode(line, f"{path}:line {n}", problems))
        else:
            yield PacketText(str(path), "", _read_text(path, problems))


def _cohort(parts: tuple[str, ...]) -> str:
    """The cohort folder of a member path: `<cohort>/x.json` or `notebooks/<cohort>/phenopackets/x.json`."""
    folders = [p for p in parts[:-1] if p not in ("notebooks", "phenopackets")]
    return folders[-1] if folders else ""


def _read_text(path: Path, problems: ProblemLog) -> str:
    if path.stat().st_size > MAX_PACKET_BYTES:
        problems.add(str(path), "packet", "size", f"{path.stat().st_size} bytes; a phenopacket is far smaller")
        return ""
    return _decode(path.read_bytes(), str(path), problems)


def _decode(data: bytes, where: str, problems: ProblemLog) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        problems.add(where, "packet", "encoding", f"not UTF-8 (byte {exc.start})")
        return ""


def parse_packet(text: PacketText, problems: ProblemLog) -> PacketCase | None:
    """One packet through GA4GH's schema classes, then what the service needs of it; a problem names
    the source and the field."""
    from google.protobuf.json_format import ParseDict, ParseError
    from phenopackets import Phenopacket

    if not text.text:
        return None  # the read already said why
    try:
        raw = json.loads(text.text)
    except json.JSONDecodeError as exc:
        problems.add(text.source, f"line {exc.lineno}", "json", exc.msg)
        return None
    if not isinstance(raw, dict):
        problems.add(text.source, "packet", "json", "a phenopacket is a JSON object")
        return None
    try:
        packet = ParseDict(raw, Phenopacket())
    except ParseError as exc:
        problems.add(text.source, str(raw.get("id") or "packet"), _field_of(str(exc)), str(exc))
        return None
    record = packet.id or "packet"
    if not packet.id.strip():
        problems.add(text.source, record, "id", "missing: every phenopacket has an id")
        return None
    disease_id, disease_label = _diagnosis(packet)
    if not disease_id:
        problems.add(text.source, record, "interpretations", "no diagnosis (neither an interpretation nor a disease)")
        return None
    features = []
    for k, f in enumerate(packet.phenotypic_features):
        if not f.type.id.startswith("HP:"):
            problems.add(text.source, record, f"phenotypicFeatures[{k}].type.id", f"{f.type.id!r} is not an HPO id")
            return None
        features.append(Feature(f.type.id, f.type.label or f.type.id, f.excluded, _time(f.onset)))
    return PacketCase(
        packet_id=packet.id,  # as written: the study names cases by it, odd spaces included
        cohort=text.cohort,
        sex=_sex_name(packet.subject.sex),
        age=_time(packet.subject.time_at_last_encounter),
        onset=next((_time(d.onset) for d in packet.diseases if _time(d.onset)), ""),
        features=tuple(features),
        disease_id=disease_id,
        disease_label=disease_label,
        publications=tuple(
            sorted({r.id.strip() for r in packet.meta_data.external_references if r.id.upper().startswith("PMID:")})
        ),
        variants=tuple(_variants(packet)),
        source=text.source,
    )


def _field_of(message: str) -> str:
    """The innermost field a protobuf parse error names ("Failed to parse subject field: ...")."""
    fields = re.findall(r"Failed to parse (\w+) field", message)
    named = re.findall(r'has no field named "(\w+)"', message)
    return ".".join(fields + named) or "packet"


def _sex_name(value: int) -> str:
    from phenopackets import Sex

    return str(Sex.Name(value))


def _time(element: Any) -> str:
    """A TimeElement as text: its ISO 8601 age, an age range's start, or its ontology class label."""
    kind = element.WhichOneof("element") if element is not None else None
    if kind == "age":
        return element.age.iso8601duration
    if kind == "age_range":
        return element.age_range.start.iso8601duration
    if kind == "ontology_class":
        return element.ontology_class.label or element.ontology_class.id
    return ""


def _diagnosis(packet: Any) -> tuple[str, str]:
    for interpretation in packet.interpretations:
        disease = interpretation.diagnosis.disease
        if disease.id:
            return disease.id.strip(), disease.label.strip()
    for d in packet.diseases:
        if d.term.id and not d.excluded:
            return d.term.id.strip(), d.term.label.strip()
    return "", ""


def _variants(packet: Any) -> Iterator[Variant]:
    from phenopackets import GenomicInterpretation

    for interpretation in packet.interpretations:
        for g in interpretation.diagnosis.genomic_interpretations:
            status = GenomicInterpretation.InterpretationStatus.Name(g.interpretation_status)
            if g.WhichOneof("call") == "gene":
                yield Variant(g.gene.symbol, "", status)
                continue
            d = g.variant_interpretation.variation_descriptor
            hgvs = [e.value for e in d.expressions if e.syntax.startswith("hgvs")]
            yield Variant(d.gene_context.symbol, hgvs[0] if hgvs else d.label, status)


PARALLEL_FROM = 400  # packets; below this, worker processes cost more than they save


def _parse_chunk(texts: list[PacketText]) -> list[tuple[PacketCase | None, list, str]]:
    """Each packet parsed, with its problems and its vignette (rendered here: in a worker, beside the parse)."""
    out = []
    for text in texts:
        problems = ProblemLog()
        case = parse_packet(text, problems)
        out.append((case, problems.problems, vignette(case) if case is not None else ""))
    return out


CHUNK_PACKETS = 250  # packets a worker's job: small enough that the first results come back early


def parsed_packets(
    paths: list[Path], problems: ProblemLog, progress: Progress = no_progress
) -> Iterator[tuple[PacketCase | None, list, str]]:
    """Each packet of the sources parsed, in source order: (its case, or None with its problems; its
    vignette). Many packets are parsed in worker processes while the next are read (GA4GH's JSON
    parser is pure Python: ~1.5 ms a packet); a problem of reading goes to `problems` here."""
    texts = packet_texts(paths, problems)
    head = list(islice(texts, PARALLEL_FROM))
    if len(head) < PARALLEL_FROM:  # a few packets: starting workers would cost more than it saves
        yield from _parse_chunk(head)
        return
    read = 0

    def chunks() -> Iterator[list[PacketText]]:
        nonlocal read
        pending = iter(chain(head, texts))
        while chunk := list(islice(pending, CHUNK_PACKETS)):
            read += len(chunk)
            yield chunk

    parsed = 0
    for results in stream_in_processes(_parse_chunk, chunks()):
        parsed += len(results)
        progress("parsing phenopackets", parsed, read)  # of the packets read so far
        yield from results


@in_bulk
def import_phenopackets(
    paths: list[Path],
    store: GraphStore,
    release: str | None = None,
    benchmark: str = BENCHMARK,
    skip_invalid: bool = False,
    progress: Progress = no_progress,
) -> PhenopacketSummary:
    """Read, check, align and write in one transaction (nothing on any problem unless skip_invalid)."""
    release = release or next((r for r in map(release_from_name, paths) if r), None)
    if not release:
        raise ValueError("name the release (--release VERSION); it is read from phenopacket-store_<version>.zip only")
    problems = ProblemLog()
    cases: dict[str, PacketCase] = {}
    builder = _RowBuilder(benchmark, release)
    for case, found, question in parsed_packets(paths, problems, progress):  # rows are built as packets come
        problems.problems.extend(found)
        if case is None:
            continue
        if case.packet_id in cases:
            problems.add(case.source, case.packet_id, "id", f"also in {cases[case.packet_id].source}")
            continue
        cases[case.packet_id] = case
        builder.add(case, question)
    if not skip_invalid:
        problems.raise_if_any()
    summary = PhenopacketSummary(benchmark, release, packets=len(cases))
    summary.rejected = [str(p) for p in problems.problems]
    if not cases:
        raise ValueError("no phenopacket found in " + ", ".join(str(p) for p in paths))
    progress("aligning to Orphanet", 0, 1)
    facts = store.properties("Disease", OMIM_PROPERTIES)  # a few facts of each, not the whole texts
    index = omim_index((int(code), props) for code, props in facts.items())
    rows = builder.finish(index, summary)
    known = store.get_many("Phenotype", [row["hpoId"] for row in rows.phenotypes])
    new_phenotypes = [row for row in rows.phenotypes if row["hpoId"] not in known]
    summary.phenotypes_new = len(new_phenotypes)
    existing_items = set(store.get_many("Item", [r["itemId"] for r in rows.items]))
    summary.items_new = len(rows.items) - len(existing_items)
    summary.publications = len(rows.publications)
    release_row = _release_row(store, benchmark, release, list(cases.values()), paths)
    chunks = _chunks(rows, CHUNK)

    def write(tx: WriteTx, chunk: _Rows, k: int) -> None:
        _write_chunk(tx, chunk, new_phenotypes if k == 0 else [])
        if k == len(chunks) - 1:
            tx.upsert_nodes("BenchmarkRelease", [release_row])  # the release exists once all of it does

    with store.bulk():  # durable as a whole when the block ends
        write_chunks(store, chunks, write, progress)
    progress("writing", 1, 1)
    return summary


def read_release(
    paths: list[Path], store: GraphStore, release: str | None, skip_invalid: bool, progress: Progress = no_progress
) -> tuple[list[str], list[str]]:
    """The benchmark's reader (core/tracks.py OwnReader): import the packets, and say what was done."""
    return summary_lines(import_phenopackets(paths, store, release, BENCHMARK, skip_invalid, progress))


def summary_lines(summary: PhenopacketSummary) -> tuple[list[str], list[str]]:
    """What an import did, as lines to show, and the problems apart (OMIM ids not aligned, packets skipped)."""
    lines = [
        f"{summary.benchmark} {summary.release}: {summary.packets:,} packets ({summary.items_new:,} new items), "
        f"{summary.publications:,} publications, {summary.phenotypes_new:,} HPO terms new to the graph"
    ]
    aligned = sum(n for k, n in summary.alignment.items() if k.startswith("aligned"))
    lines.append(f"diagnoses aligned to Orphanet: {aligned:,} of {summary.packets:,}")
    lines += [f"  {outcome}: {n:,}" for outcome, n in sorted(summary.alignment.items(), key=lambda kv: -kv[1])]
    problems = []
    if summary.unaligned:
        shown = "; ".join(f"{omim} {why}" for omim, why in sorted(summary.unaligned.items())[:10])
        more = f" (and {len(summary.unaligned) - 10} more)" if len(summary.unaligned) > 10 else ""
        problems.append(f"OMIM ids not aligned ({len(summary.unaligned)}): {shown}{more}")
    problems += [f"skipped: {line}" for line in summary.rejected[:20]]
    return lines, problems


CHUNK = 2000  # packets a transaction: Neo4j bounds a transaction's memory, and 10,580 packets passed it


def _chunks(rows: _Rows, size: int) -> list[_Rows]:
    """The rows in chunks of `size` packets, each with its own cases, relationships and publications."""
    out = []
    for start in range(0, len(rows.items), size):
        items = rows.items[start : start + size]
        cases = rows.cases[start : start + size]
        item_keys = {r["itemId"] for r in items}
        case_keys = {r["caseId"] for r in cases}
        cites = [r for r in rows.cites if r.src.key in case_keys]
        cited = {r.dst.key for r in cites}
        out.append(
            _Rows(
                items=items,
                cases=cases,
                publications=[r for r in rows.publications if r["publicationId"] in cited],
                about=[r for r in rows.about if r.src.key in item_keys],
                answer_is=[r for r in rows.answer_is if r.src.key in item_keys],
                features=[r for r in rows.features if r.src.key in case_keys],
                cites=cites,
                mentions=[r for r in rows.mentions if r.src.key in item_keys],
            )
        )
    return out


def _write_chunk(tx: WriteTx, chunk: _Rows, new_phenotypes: list[dict[str, Any]]) -> None:
    item_refs = [NodeRef("Item", r["itemId"]) for r in chunk.items]
    case_refs = [NodeRef("Case", r["caseId"]) for r in chunk.cases]
    replace_rows(  # a re-import replaces what the items and cases point at
        tx,
        [
            *((t, item_refs) for t in ("ABOUT", "ANSWER_IS", "MENTIONS")),
            *((t, case_refs) for t in ("HAS_FEATURE", "CITES")),
        ],
        [
            ("Publication", chunk.publications),
            ("Phenotype", new_phenotypes),
            ("Case", chunk.cases),
            ("Item", chunk.items),
        ],
        [
            ("ABOUT", chunk.about),
            ("ANSWER_IS", chunk.answer_is),
            ("HAS_FEATURE", chunk.features),
            ("CITES", chunk.cites),
            ("MENTIONS", chunk.mentions),
        ],
    )


@dataclass
class _Rows:
    items: list[dict[str, Any]] = field(default_factory=list)
    cases: list[dict[str, Any]] = field(default_factory=list)
    publications: list[dict[str, Any]] = field(default_factory=list)
    phenotypes: list[dict[str, Any]] = field(default_factory=list)
    about: list[RelRow] = field(default_factory=list)
    answer_is: list[RelRow] = field(default_factory=list)
    features: list[RelRow] = field(default_factory=list)
    cites: list[RelRow] = field(default_factory=list)
    mentions: list[RelRow] = field(default_factory=list)  # the question's observed features, for the audit


def case_key(benchmark: str, release: str, packet_id: str) -> str:
    return f"{benchmark}:{release}:{packet_id}"


@dataclass
class _CaseRows:
    """One packet's rows, built as it arrives from the parse (in source order, sorted at the end)."""

    case: PacketCase
    item_ref: NodeRef
    item: dict[str, Any]
    case_row: dict[str, Any]
    about: RelRow
    cites: list[RelRow]
    features: list[RelRow]
    mentions: list[RelRow]


class _RowBuilder:
    """The graph rows of every packet: each packet's own rows as it comes (`add`, while the workers
    parse the next), then sorted by packet id, with publications, phenotypes and the Orphanet
    alignment worked out once all are in (`finish`)."""

    def __init__(self, benchmark: str, release: str) -> None:
        self.benchmark, self.release = benchmark, release
        self.cases: list[_CaseRows] = []

    def add(self, case: PacketCase, question: str) -> None:
        n = item_index(self.release, case.packet_id)
        item_ref = NodeRef("Item", f"{TRACK}:{n}")
        case_ref = NodeRef("Case", case_key(self.benchmark, self.release, case.packet_id))
        item: dict[str, Any] = {
            "itemId": item_ref.key,
            "track": TRACK,
            "index": n,
            "benchmark": self.benchmark,
            "release": self.release,
            "packetId": case.packet_id,
            "question": question,
            "context": "",
            "answer": case.disease_label or case.disease_id,
            "answerId": case.disease_id,
            "aliases": [],
            "cluster": case.cluster,
            "cohort": case.cohort,
            "nObserved": len(case.observed),
            "nExcluded": len(case.excluded),
            "nImages": 0,
            "modalities": [],
        }
        case_row = {
            "caseId": case_ref.key,
            "packetId": case.packet_id,
            "benchmark": self.benchmark,
            "release": self.release,
            "context": "",
            "sex": case.sex,
            "age": case.age,
            "onset": case.onset,
            "cohort": case.cohort,
            "source": case.cluster,
            "genes": list(case.genes),
            "variants": [f"{v.gene} {v.description}".strip() for v in case.variants],
            "nItems": 1,
        }
        self.cases.append(
            _CaseRows(
                case,
                item_ref,
                item,
                case_row,
                RelRow(item_ref, case_ref),
                [RelRow(case_ref, NodeRef("Publication", pmid)) for pmid in case.publications],
                [
                    RelRow(case_ref, NodeRef("Phenotype", f.hpo_id), {"excluded": f.excluded, "onset": f.onset})
                    for f in case.features
                ],
                _feature_mentions(item_ref, question, case),
            )
        )

    def finish(self, index: dict, summary: PhenopacketSummary) -> _Rows:
        rows = _Rows()
        publications: dict[str, dict[str, Any]] = {}
        phenotypes: dict[str, dict[str, Any]] = {}
        for c in sorted(self.cases, key=lambda c: c.case.packet_id):
            rows.items.append(c.item)
            rows.cases.append(c.case_row)
            rows.about.append(c.about)
            rows.mentions += c.mentions
            rows.cites += c.cites
            rows.features += c.features
            for pmid in c.case.publications:
                publications.setdefault(pmid, {"publicationId": pmid})
            for f in c.case.features:
                phenotypes.setdefault(f.hpo_id, {"hpoId": f.hpo_id, "name": f.label})
            alignment = align_omim(index, c.case.disease_id)
            key = f"aligned ({alignment.relation})" if alignment.aligned else alignment.outcome
            summary.alignment[key] += 1
            if alignment.aligned:
                rows.answer_is.append(
                    RelRow(
                        c.item_ref,
                        NodeRef("Disease", alignment.codes[0]),
                        {"method": alignment.method, "confidence": alignment.confidence},
                    )
                )
            else:
                candidates = ", ".join(f"ORPHA:{code}" for code in alignment.codes)
                summary.unaligned[c.case.disease_id] = alignment.outcome + (f" ({candidates})" if candidates else "")
        rows.publications = sorted(publications.values(), key=lambda r: r["publicationId"])
        rows.phenotypes = sorted(phenotypes.values(), key=lambda r: r["hpoId"])
        return rows


def _feature_mentions(item_ref: NodeRef, question: str, case: PacketCase) -> list[RelRow]:
    """Where the vignette names each observed feature (its HPO label, found in the findings sentence):
    what the leakage audit reads as the question's phenotypes. Excluded features are not mentions of
    the patient's phenotype."""
    findings = question.find("Findings: ")
    out = []
    for k, f in enumerate(case.observed):
        start = question.find(f.label, findings)
        if findings < 0 or start < 0:
            continue  # withheld (it named a gene or the diagnosis)
        props = {"field": "question", "start": start, "end": start + len(f.label), "text": f.label}
        out.append(RelRow(item_ref, NodeRef("Phenotype", f.hpo_id), props, rid=str(k)))
    return out


def _release_row(
    store: GraphStore, benchmark: str, release: str, cases: list[PacketCase], paths: list[Path]
) -> dict[str, Any]:
    """The release as a node: what was imported, keeping the first import's time so a re-import of
    the same packets changes nothing."""
    release_id = f"{benchmark}:{release}"
    digest = hashlib.sha256("\n".join(sorted(c.packet_id for c in cases)).encode()).hexdigest()
    existing = store.get(NodeRef("BenchmarkRelease", release_id))
    same = existing is not None and existing.props.get("packetsSha256") == digest
    return {
        "releaseId": release_id,
        "benchmark": benchmark,
        "version": release,
        "items": len(cases),
        "packetsSha256": digest,
        "files": sorted(p.name for p in paths),
        "importedAt": existing.props["importedAt"] if same and existing else datetime.now(UTC).isoformat(),
    }
