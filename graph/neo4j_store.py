"""The Neo4j store: the official driver, every statement a named file in cypher/."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import neo4j
from neo4j.exceptions import ServiceUnavailable, SessionExpired

from mmrare.graph.cypher import statement
from mmrare.graph.errors import MissingEndpointError, StoreUnavailableError
from mmrare.graph.model import (
    CONTENT,
    EVERY_PART,
    NODES,
    Direction,
    Key,
    Neighbour,
    Node,
    NodeRef,
    Path,
    Props,
    link_order,
    node_spec,
)
from mmrare.graph.questions import Answers, CodeFacts, PredictionFacts, prediction_facts
from mmrare.graph.store import (
    PAGE_LINKS,
    GraphStore,
    ItemPage,
    KeptAnswers,
    RelRow,
    Where,
    WriteTx,
    changed_names,
    not_unicode,
)
from mmrare.graph.subsets import ItemFilter

BATCH = 5000  # rows per UNWIND; large enough to amortise round trips, small enough for a 1 GB heap
NO_LIMIT = 2**62


def _chunks(rows: list[Any], size: int = BATCH) -> Iterator[list[Any]]:
    for i in range(0, len(rows), size):
        yield rows[i : i + size]


def _own(props: Any) -> Props:
    """A node's properties without the store's internal uid."""
    out = dict(props)
    out.pop("uid", None)
    return out


@contextmanager
def _text_errors_named(what: str, rows: Sequence[Any]) -> Iterator[None]:
    """The driver cannot send text that is not Unicode: the error names the row (the transaction then
    rolls back)."""
    try:
        yield
    except UnicodeEncodeError:
        raise not_unicode(what, rows) from None


CONTENT_NAMES = changed_names(sorted(CONTENT))


class _Neo4jTx(WriteTx):
    def __init__(self, tx: neo4j.Transaction) -> None:
        super().__init__()
        self.tx = tx
        self.wrote = False  # a transaction that writes moves the generation when it commits

    def _upsert_nodes(self, label: str, rows: list[tuple[Key, Props]]) -> None:
        self.wrote = True
        key_name = node_spec(label).key
        query = statement("upsert_nodes", label=label)
        payload = [
            {"key": key, "uid": NodeRef(label, key).uid, "props": {k: v for k, v in props.items() if k != key_name}}
            for key, props in rows
        ]
        with _text_errors_named(label, rows):
            for chunk in _chunks(payload):
                self.tx.run(query, rows=chunk).consume()

    def _upsert_rels(self, rel_type: str, rows: list[RelRow]) -> None:
        self.wrote = True
        query = statement("upsert_rels", rel_type=rel_type)
        payload = [{"src": r.src.uid, "dst": r.dst.uid, "rid": r.rid, "props": r.props} for r in rows]
        for chunk in _chunks(payload):
            with _text_errors_named(rel_type, rows):
                written = self.tx.run(query, rows=chunk).single(strict=True)["written"]
            if written != len(chunk):
                uids = sorted({u for row in chunk for u in (row["src"], row["dst"])})
                missing = [r["uid"] for r in self.tx.run(statement("missing_nodes"), uids=uids)]
                first = next((u for row in chunk for u in (row["src"], row["dst"]) if u in set(missing)), "?")
                raise MissingEndpointError(f"relationship {rel_type}: endpoint {first} does not exist")

    def _delete_nodes(self, refs: list[NodeRef]) -> None:
        self.wrote = True
        with _text_errors_named("delete", refs):
            for chunk in _chunks([r.uid for r in refs]):
                self.tx.run(statement("delete_nodes"), uids=chunk).consume()

    def _delete_rels(self, rel_type: str, starts: list[NodeRef]) -> None:
        self.wrote = True
        query = statement("delete_rels", rel_type=rel_type)
        with _text_errors_named(rel_type, starts):
            for chunk in _chunks([r.uid for r in starts]):
                self.tx.run(query, uids=chunk).consume()


# the smallest list of each size class Neo4j plans apart (none is a class of its own), to 100,000
LIST_SIZE_CLASSES = (0, 1, 2, 11, 101, 1_001, 10_001)


def _one(tx: neo4j.ManagedTransaction, name: str, **params: Any) -> neo4j.Record:
    return tx.run(statement(name), params).single(strict=True)


def _content_generation(tx: neo4j.ManagedTransaction) -> int:
    return int(_one(tx, "generation_of", names=CONTENT_NAMES)["generation"])  # runs change no page


class Neo4jStore(GraphStore):
    name = "neo4j"
    # a transaction's state lives on the server's heap, bounded by dbms.memory.transaction.total.max:
    # ten times the paper's release (about 350,000 rows) in one transaction ran out of it
    transaction_rows = 40_000

    def __init__(self, uri: str, auth: tuple[str, str] | None = None, database: str | None = None) -> None:
        self.uri = uri
        self.database = database
        # fail fast when the server goes away: a request should get a clear error in seconds, not retry for 30
        self.driver = neo4j.GraphDatabase.driver(
            uri, auth=auth, connection_timeout=2.0, connection_acquisition_timeout=3.0, max_transaction_retry_time=2.0
        )
        try:
            self.driver.verify_connectivity()
            if database is None:
                # named once here: a routing (neo4j://) session without a database asks the server for
                # the caller's home database first, one more round trip on every read
                _, summary, _ = self.driver.execute_query(statement("ping"))
                self.database = summary.database
        except (ServiceUnavailable, OSError, ValueError) as exc:
            self.driver.close()
            raise StoreUnavailableError(
                f"no Neo4j answers at {uri} ({type(exc).__name__}); start one with `mmrare neo4j start` "
                "or `docker compose up neo4j`"
            ) from exc
        self._initialised = False
        self._totals: KeptAnswers[ItemFilter, int] = KeptAnswers()  # a subset -> its item count, per generation
        self._under: KeptAnswers[tuple[int, ...], list[str]] = KeptAnswers()  # classes -> uids of the items under

    def close(self) -> None:
        self.driver.close()

    def init(self) -> None:
        with self.driver.session(database=self.database) as session:
            session.run(statement("constraint_node_uid")).consume()
            session.run(statement("constraint_graph_meta")).consume()
            for label in NODES:
                session.run(statement("constraint_node_key", label=label)).consume()
            session.run(statement("index_item_order")).consume()
        self._initialised = True

    def clear(self) -> None:
        with self.driver.session(database=self.database) as session:
            session.run(statement("clear_graph")).consume()  # domain nodes only: the generation stays
            session.run(statement("bump_generation"), parts=[EVERY_PART]).consume()
        self.commits += 1

    def _generation_of(self, parts: list[str] | None) -> int:
        if parts is None:
            query, params = statement("generation"), {}
        else:
            query, params = statement("generation_of"), {"names": changed_names(parts)}
        # every cached answer asks this first: one statement in an auto-commit read is one round trip,
        # where a managed transaction adds its commit
        with self._read_session() as session:
            rec = session.run(query, params).single(strict=True)
        return int(rec["generation"])

    @contextmanager
    def transaction(self) -> Iterator[WriteTx]:
        if not self._initialised:
            self.init()  # constraints must exist before the first load
        try:
            with self.driver.session(database=self.database) as session, session.begin_transaction() as tx:
                writes = _Neo4jTx(tx)
                yield writes
                if writes.wrote:  # in the same transaction as the writes, so a reader sees both or neither
                    tx.run(statement("bump_generation"), parts=sorted(writes.touched)).consume()
                tx.commit()
            if writes.wrote:
                self.commits += 1
        except (ServiceUnavailable, SessionExpired) as exc:
            raise StoreUnavailableError(f"Neo4j at {self.uri} does not answer ({type(exc).__name__})") from exc

    @contextmanager
    def _answered(self) -> Iterator[None]:
        """The driver's connection failures inside as the store's own: the server does not answer."""
        try:
            yield
        except (ServiceUnavailable, SessionExpired, OSError) as exc:
            raise StoreUnavailableError(f"Neo4j at {self.uri} does not answer ({type(exc).__name__})") from exc

    @contextmanager
    def _read_session(self) -> Iterator[neo4j.Session]:
        with self._answered(), self.driver.session(database=self.database, default_access_mode=neo4j.READ_ACCESS) as s:
            yield s

    def _read(self, query: str, **params: Any) -> list[neo4j.Record]:
        with self._answered():
            records, _, _ = self.driver.execute_query(
                query, params, database_=self.database, routing_=neo4j.RoutingControl.READ
            )
        return records

    def item_page(self, f: ItemFilter, offset: int, limit: int) -> tuple[list[Node], int]:
        page = self.item_page_linked(f, offset, limit)
        return page.items, page.total

    def item_page_linked(self, f: ItemFilter, offset: int, limit: int) -> ItemPage:
        """The page with its images and cases, read in index order up to its end, and its total, in one
        read transaction. The items under classes and a subset's count are worked out the first time
        they are asked for at the content's generation, then kept until the content changes (as the
        embedded store keeps them; runs change neither): a later page of a subset without classes is
        one statement, the page with the generation it was read at, in one round trip (the first at a
        generation adds the count, read alone, unless a write has moved the generation meanwhile)."""
        asked = {**f.query_params(), "offset": offset, "limit": limit}

        def under(tx: neo4j.ManagedTransaction, generation: int) -> list[str]:
            """The uids of the items under the filter's classes, in page order, kept per generation."""
            return self._under.answer(
                f.under, generation, lambda: list(_one(tx, "items_under", under=list(f.under))["uids"])
            )

        def page_and_total(tx: neo4j.ManagedTransaction) -> tuple[list[Any], int]:
            generation = _content_generation(tx)
            params = {**asked, "under_items": under(tx, generation) if f.under else []}
            page = _one(tx, "item_page", **params)["page"]
            return page, self._totals.answer(f, generation, lambda: int(_one(tx, "item_count", **params)["total"]))

        def slice_of_classes(tx: neo4j.ManagedTransaction) -> tuple[list[Any], int]:
            """Classes alone: the page is a slice of the kept items under them, each found by its uid
            (the page statement would take the whole list as a parameter on every page)."""
            generation = _content_generation(tx)
            uids = under(tx, generation)
            page = _one(tx, "item_page_of", uids=uids[offset : offset + limit])["page"]
            return page, self._totals.answer(f, generation, lambda: len(uids))

        with self._read_session() as session:
            if f.classes_only:
                return self._linked_page(*session.execute_read(slice_of_classes))
            if not f.under:  # the usual case: the page and its generation in one round trip
                query = statement("item_page_at_generation")
                found = session.run(query, asked, under_items=[], names=CONTENT_NAMES).single(strict=True)
                generation = int(found["generation"])
                total = self._totals.get(f, generation)
                if total is None:  # the subset's first page at this generation: its count, not the page again
                    total = self._count_at(session, f, generation)
                if total is not None:
                    return self._linked_page(found["page"], total)
            page, total = session.execute_read(page_and_total)  # the count too, at the page's generation
        return self._linked_page(page, total)

    def _count_at(self, session: neo4j.Session, f: ItemFilter, generation: int) -> int | None:
        """A subset's count (without classes) at the content's `generation`, kept; None when a write
        has moved the generation since."""

        def count(tx: neo4j.ManagedTransaction) -> int | None:
            if _content_generation(tx) != generation:
                return None
            asked = {**f.query_params(), "under_items": []}
            return self._totals.answer(f, generation, lambda: int(_one(tx, "item_count", **asked)["total"]))

        return session.execute_read(count)

    def _linked_page(self, page: list[Any], total: int) -> ItemPage:
        items: list[Node] = []
        links: dict[str, list[Neighbour]] = {t: [] for t in PAGE_LINKS}
        linked: dict[NodeRef, Props] = {}
        for entry in page:
            props = _own(entry["props"])
            start = NodeRef("Item", props["itemId"])
            items.append(Node(start, props))
            for rel_type, label in (("SHOWS", "Image"), ("ABOUT", "Case")):
                for link in entry[rel_type]:
                    node_props, rel_props = _own(link["node"]), dict(link["rel"])
                    rid = rel_props.pop("rid", "")
                    end = NodeRef(label, node_props[node_spec(label).key])
                    links[rel_type].append(Neighbour(start, rel_type, rid, end, rel_props))
                    linked[end] = node_props
        for found in links.values():
            found.sort(key=link_order)
        return ItemPage(items, total, links, linked)

    def report_facts(self, run_ids: Sequence[str] = ()) -> list[PredictionFacts]:
        order = {r: i for i, r in enumerate(dict.fromkeys(run_ids))}
        records = self._read(statement("report_facts"), runs=list(order))
        codes = sorted({c for rec in records for c in rec["codes"]})
        answers = Answers(
            {
                rec["code"]: CodeFacts(frozenset(rec["classes"]), rec["prevalence"] or None, frozenset(rec["heads"]))
                for rec in self._read(statement("report_codes"), codes=codes)
            }
        )
        facts = [
            prediction_facts(
                rec["run"],
                rec["model"],
                rec["domain"],
                dict(rec["prediction"]),  # [key, value] pairs
                rec["item"],
                rec["caseId"],
                answers.of(rec["codes"]),
            )
            for rec in records
        ]
        return sorted(facts, key=lambda f: (order.get(f.run_id, 0), f.run_id, str(f.prediction["predictionId"])))

    def disease_search(
        self, search: str | None = None, under: int | None = None, prevalence: str | None = None, limit: int = 50
    ) -> list[Props]:
        records = self._read(
            statement("disease_search"),
            needle=search.lower() if search else None,
            under=under,
            prevalence=prevalence or None,
            limit=limit,
        )
        return [_own(rec["props"]) for rec in records]

    def ping(self) -> None:
        """A round trip to the server; StoreUnavailableError when there is none."""
        self._read(statement("ping"))

    def warm(self) -> None:
        """Runs the statements of an item page, of the generations and of a report once each, over no
        runs and one-item pages, results dropped: Neo4j plans and compiles a statement on its first run
        (a first page took 600 ms against 12 ms after). It keeps a plan by the statement's text and the
        size class of each list parameter (1, 2 to 10, 11 to 100, ...: measured on 5.26), so the pages
        run are the plain one, each single filter with one value and with several, and a page under a
        class whose items fill each size class up to 100,000; combinations plan on first use."""
        plain: dict[str, Any] = {**ItemFilter().query_params(), "under_items": [], "offset": 0, "limit": 1}
        filters: list[dict[str, Any]] = [
            {name: [""] * n} for name in ("tracks", "modalities", "prevalence") for n in (1, 2)
        ]
        # "" is no item's uid
        under: list[dict[str, Any]] = [{"under": [0], "under_items": [""] * n} for n in LIST_SIZE_CLASSES]
        pages = [plain, *({**plain, **one} for one in (*filters, *under))]
        statements: list[tuple[str, dict[str, Any]]] = [
            ("generation", {}),
            ("generation_of", {"names": CONTENT_NAMES}),
            ("items_under", {"under": [0]}),
            *(("item_page", p) for p in pages),
            *(("item_page_at_generation", {**p, "names": CONTENT_NAMES}) for p in pages if not p["under"]),
            *(("item_count", p) for p in pages),
            *(("item_page_of", {"uids": [""] * n}) for n in (1, 10, 100)),  # a slice of a page's size
            *(("report_facts", {"runs": runs}) for runs in ([], [""])),  # [] is every run; none is named ""
            ("report_codes", {"codes": [0]}),
        ]
        for name, params in statements:
            self._read(statement(name), **params)

    def _get_many(self, refs: list[NodeRef]) -> dict[Key, Props]:
        out: dict[Key, Props] = {}
        for rec in self._read(statement("get_nodes"), uids=[r.uid for r in refs]):
            out[NodeRef.parse(rec["uid"]).key] = _own(rec["props"])
        return out

    def _property_rows(self, label: str, names: list[str]) -> Iterable[tuple[Key, Sequence[Any]]]:
        # one record holding every row: the driver's cost is per record, not per value
        (rec,) = self._read(statement("node_properties", label=label), names=names)
        return rec["rows"]

    def _pairs(self, rel_type: str, prop: str | None) -> list[tuple[Any, ...]]:
        (rec,) = self._read(statement("rel_pairs", rel_type=rel_type), prop=prop)
        return rec["pairs"]

    def _neighbours(self, refs: list[NodeRef], rel_type: str, direction: Direction) -> list[Neighbour]:
        query = statement("neighbours", rel_type=rel_type, direction=direction)
        out = []
        for rec in self._read(query, uids=[r.uid for r in refs]):
            props = dict(rec["props"])
            props.pop("rid", None)
            out.append(Neighbour(NodeRef.parse(rec["start"]), rel_type, rec["rid"], NodeRef.parse(rec["node"]), props))
        return out

    def _closure_each(
        self, refs: list[NodeRef], rel_type: str, direction: Direction
    ) -> dict[NodeRef, frozenset[NodeRef]]:
        query = statement("closure", rel_type=rel_type, direction=direction)
        return {
            NodeRef.parse(rec["start"]): frozenset(NodeRef.parse(u) for u in rec["reached"])
            for rec in self._read(query, uids=[r.uid for r in refs])
        }

    def _select(self, label: str, where: list[Where], order_by: str, limit: int | None, offset: int) -> list[Node]:
        spec = node_spec(label)
        conds = [{"prop": w.prop, "op": w.op, "value": w.value} for w in where]
        records = self._read(
            statement("select_nodes", label=label),
            conds=conds,
            order_by=order_by,
            offset=offset,
            limit=NO_LIMIT if limit is None else limit,
        )
        out = []
        for rec in records:
            props = _own(rec["props"])
            out.append(Node(NodeRef(label, props[spec.key]), props))
        return out

    def _all_shortest_paths(
        self, sources: list[NodeRef], targets: list[NodeRef], rel_types: list[str], max_hops: int, direction: Direction
    ) -> Iterator[Path]:
        query = statement("shortest_paths", rel_types=tuple(rel_types), hops=max_hops, direction=direction)
        for rec in self._read(query, sources=[s.uid for s in sources], targets=[t.uid for t in targets]):
            yield Path(tuple(NodeRef.parse(u) for u in rec["uids"]), tuple(rec["types"]))

    def _count_nodes(self, label: str | None) -> int:
        query = statement("count_all_nodes") if label is None else statement("count_label", label=label)
        return int(self._read(query)[0]["n"])

    def _count_rels(self, rel_type: str | None) -> int:
        query = statement("count_all_rels") if rel_type is None else statement("count_type", rel_type=rel_type)
        return int(self._read(query)[0]["n"])
