"""The store protocol: what every graph store offers, and the checks all stores share.

Stores implement the `_`-prefixed primitives; the public methods validate input and normalise
output here, once, so the embedded store and Neo4j answer identically.
"""

from __future__ import annotations

import math
import re
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Collection, Hashable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, Literal, TypeVar, cast

from mmrare.graph.errors import InvalidRowError
from mmrare.graph.model import (
    EVERY_PART,
    NODES,
    RELS,
    Direction,
    Key,
    Neighbour,
    Node,
    NodeRef,
    Path,
    Props,
    link_order,
    node_spec,
    parts_of_deleting,
    rel_spec,
)

Op = Literal["eq", "in", "gte", "lte", "has", "exists"]
OPS: tuple[str, ...] = ("eq", "in", "gte", "lte", "has", "exists")
MAX_HOPS = 8

if TYPE_CHECKING:
    from mmrare.graph.questions import PredictionFacts
    from mmrare.graph.subsets import ItemFilter


def keyed_pairs(rel_type: str, rows: Iterable[Sequence[Any]]) -> list[tuple[Any, ...]]:
    """(start key, end key, ...) from rows (start uid, end uid, ...) of a relation between one label
    and another; what follows the uids is kept as it is."""
    spec = rel_spec(rel_type)
    if len(spec.sources) != 1 or len(spec.targets) != 1:
        raise ValueError(f"{rel_type} joins several labels; its pairs would need their labels")
    (source,), (target,) = spec.sources, spec.targets
    cut_start, cut_end = len(source) + 1, len(target) + 1  # "Label:" before each key
    start_key, end_key = NODES[source].key_type, NODES[target].key_type
    if start_key is str and end_key is str:
        return [(a[cut_start:], b[cut_end:], *rest) for a, b, *rest in rows]
    return [(start_key(a[cut_start:]), end_key(b[cut_end:]), *rest) for a, b, *rest in rows]


PROPERTY_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")  # a name a statement may spell (never user text)


@dataclass(frozen=True)
class Where:
    """One condition of a node selection. `has` tests membership in a list property."""

    prop: str
    op: Op
    value: Any

    def __post_init__(self) -> None:
        if self.op not in OPS:
            raise ValueError(f"unknown operator {self.op!r}; known: {', '.join(OPS)}")

    def matches(self, props: Props) -> bool:
        """The semantics both stores implement (a missing property never matches, except `exists`)."""
        got = props.get(self.prop)
        if self.op == "exists":
            return (got is not None) == bool(self.value)
        if got is None:
            return False
        if self.op == "eq":
            return got == self.value
        if self.op == "in":
            return got in self.value
        if self.op == "has":
            return isinstance(got, list) and self.value in got
        try:
            return got >= self.value if self.op == "gte" else got <= self.value
        except TypeError:
            return False


@dataclass(frozen=True)
class RelRow:
    src: NodeRef
    dst: NodeRef
    props: Props = field(default_factory=dict)
    # Distinguishes parallel relationships of one type between the same two nodes
    # (e.g. two MENTIONS spans); "" for the ordinary single relationship.
    rid: str = ""


PRIMITIVES = (bool, int, float, str)


_EXACT = frozenset({bool, int, str})  # the common cases, told by their exact type at once


# Neo4j's integers are 64-bit, and the embedded store's JSON reader (orjson) reads a longer one as a
# rounded float: both stores refuse ints outside this range
SMALLEST_INT, LARGEST_INT = -(2**63), 2**63 - 1


def _fits(value: Any) -> bool:
    return type(value) is not int or SMALLEST_INT <= value <= LARGEST_INT


def check_value(value: Any) -> bool:
    """A property value both stores can hold: a primitive, None, or a list of one primitive type."""
    kind = type(value)
    if kind is int:
        return SMALLEST_INT <= value <= LARGEST_INT
    if kind in _EXACT or value is None:
        return True
    if kind is list and value and type(value[0]) in _EXACT and len(set(map(type, value))) == 1:
        # one exact primitive type throughout, told in C
        return type(value[0]) is not int or (min(value) >= SMALLEST_INT and max(value) <= LARGEST_INT)
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, PRIMITIVES):
        return _fits(value)
    if isinstance(value, list):
        kinds = {type(v) for v in value}
        return len(kinds) <= 1 and all(isinstance(v, PRIMITIVES) and _fits(v) for v in value)
    return False


def check_key(label: str, key: Any, where: str) -> Key:
    spec = node_spec(label)
    # bool is an int subclass; a True key would be a silent mistake.
    if isinstance(key, bool) or not isinstance(key, spec.key_type):
        raise InvalidRowError(f"{where}: key {spec.key} of {label} must be {spec.key_type.__name__}, got {key!r}")
    if isinstance(key, str) and not key:
        raise InvalidRowError(f"{where}: key {spec.key} of {label} is empty")
    return cast(Key, key)


RESERVED_NAMES = ("uid", "rid")  # the stores' own properties


def _plain_props(props: Props) -> bool:
    """Every property name and value allowed (check_props's rules, without naming what is wrong).
    A loop with the plain scalars told at once: this runs for every row of every import."""
    for name, value in props.items():
        if type(name) is not str or not name or name in RESERVED_NAMES:
            return False
        kind = type(value)
        if kind is int:
            if not SMALLEST_INT <= value <= LARGEST_INT:
                return False
        elif kind not in _EXACT and value is not None and not check_value(value):
            return False
    return True


def check_props(props: Props, where: str) -> None:
    for name, value in props.items():
        if not isinstance(name, str) or not name or name in RESERVED_NAMES:
            raise InvalidRowError(f"{where}: property name {name!r} is not allowed")
        if not check_value(value):
            if not all(_fits(v) for v in (value if isinstance(value, list) else [value])):
                raise InvalidRowError(
                    f"{where}: property {name!r} has an int beyond 64 bits, which neither store holds"
                )
            raise InvalidRowError(
                f"{where}: property {name!r} has value {value!r}; allowed are None, bool, int, float, "
                "str and lists of one of these"
            )


def _bad_text(value: Any) -> str | None:
    """Where in `value` text is not Unicode (holds a lone surrogate, which UTF-8 cannot write): a
    property name, "key" for a bare text, None when all is well."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return "key"
        return None
    if isinstance(value, dict):
        for name, inner in value.items():
            if _bad_text(name) or _bad_text(inner):
                return repr(name)
        return None
    if isinstance(value, list | tuple):
        return next((found for inner in value if (found := _bad_text(inner))), None)
    if isinstance(value, NodeRef):
        return _bad_text(value.key)
    if isinstance(value, RelRow):
        return _bad_text(value.src) or _bad_text(value.dst) or _bad_text(value.rid) or _bad_text(value.props)
    return None


def not_unicode(what: str, rows: Sequence[Any]) -> InvalidRowError:
    """The error for a write a store could not encode: it names the first row (and property) whose
    text is not Unicode. Looked for only once a write failed, so the common path pays nothing."""
    for i, row in enumerate(rows):
        found = _bad_text(row)
        if found is not None:
            where = "its key" if found == "key" else f"property {found}"
            return InvalidRowError(f"{what} row {i}: {where} holds text that is not Unicode (a lone surrogate)")
    return InvalidRowError(f"{what}: a row holds text that is not Unicode (a lone surrogate)")


def validate_node_rows(label: str, rows: Iterable[Props]) -> list[tuple[Key, Props]]:
    spec = node_spec(label)
    out: list[tuple[Key, Props]] = []
    for i, row in enumerate(rows):
        if type(row) is dict and type(row.get(spec.key)) is spec.key_type and row[spec.key] != "" and _plain_props(row):
            out.append((row[spec.key], row))  # the common case, checked without naming the row
            continue
        where = f"{label} row {i}"  # something is wrong: the full checks name it
        if not isinstance(row, dict):
            raise InvalidRowError(f"{where}: expected a dict of properties, got {type(row).__name__}")
        if spec.key not in row:
            raise InvalidRowError(f"{where}: missing key property {spec.key!r}")
        key = check_key(label, row[spec.key], where)
        check_props(row, where)
        out.append((key, row))
    return out


def _plain_end(ref: NodeRef, labels: tuple[str, ...]) -> bool:
    return ref.label in labels and type(ref.key) is NODES[ref.label].key_type and ref.key != ""


def validate_rel_rows(rel_type: str, rows: Iterable[RelRow]) -> list[RelRow]:
    spec = rel_spec(rel_type)
    out: list[RelRow] = []
    for i, row in enumerate(rows):
        if (
            type(row) is RelRow
            and _plain_end(row.src, spec.sources)
            and _plain_end(row.dst, spec.targets)
            and _plain_props(row.props)
        ):
            out.append(row)  # the common case, checked without naming the row
            continue
        where = f"{rel_type} row {i}"  # something is wrong: the full checks name it
        if not isinstance(row, RelRow):
            raise InvalidRowError(f"{where}: expected a RelRow, got {type(row).__name__}")
        if row.src.label not in spec.sources:
            raise InvalidRowError(f"{where}: {rel_type} cannot start at {row.src.label}")
        if row.dst.label not in spec.targets:
            raise InvalidRowError(f"{where}: {rel_type} cannot end at {row.dst.label}")
        check_key(row.src.label, row.src.key, where)
        check_key(row.dst.label, row.dst.key, where)
        check_props(row.props, where)
        out.append(row)
    return out


# Where each store keeps a part's last change (GraphStore.generation(parts)): a meta row (embedded)
# or a GraphMeta node (Neo4j) named with this prefix; a clear is the part EVERY_PART
CHANGED = "changed:"


def changed_names(parts: Iterable[str]) -> list[str]:
    """The names holding the last changes of the parts, and of a clear (which writes every part)."""
    return [CHANGED + p for p in (EVERY_PART, *parts)]


class WriteTx(ABC):
    """Writes inside one all-or-nothing transaction. Upserts merge properties; a None value removes one.

    `touched` gathers the parts of the graph (labels and relationship types) the transaction writes:
    the store records their change at the generation the commit makes (GraphStore.generation(parts))."""

    def __init__(self) -> None:
        self.touched: set[str] = set()

    def upsert_nodes(self, label: str, rows: Iterable[Props]) -> int:
        checked = validate_node_rows(label, rows)
        if checked:
            self.touched.add(label)
            self._upsert_nodes(label, checked)
        return len(checked)

    def upsert_rels(self, rel_type: str, rows: Iterable[RelRow]) -> int:
        checked = validate_rel_rows(rel_type, rows)
        if checked:
            self.touched.add(rel_type)
            self._upsert_rels(rel_type, checked)
        return len(checked)

    def delete_nodes(self, refs: Iterable[NodeRef]) -> None:
        """Delete nodes with all their relationships; unknown refs are ignored."""
        refs = list(refs)
        if refs:
            self.touched |= parts_of_deleting({r.label for r in refs})
            self._delete_nodes(refs)

    def delete_rels(self, rel_type: str, starts: Iterable[NodeRef]) -> None:
        """Delete every relationship of one type that leaves the given nodes."""
        rel_spec(rel_type)
        starts = list(starts)
        if starts:
            self.touched.add(rel_type)
            self._delete_rels(rel_type, starts)

    @abstractmethod
    def _upsert_nodes(self, label: str, rows: list[tuple[Key, Props]]) -> None: ...

    @abstractmethod
    def _upsert_rels(self, rel_type: str, rows: list[RelRow]) -> None: ...

    @abstractmethod
    def _delete_nodes(self, refs: list[NodeRef]) -> None: ...

    @abstractmethod
    def _delete_rels(self, rel_type: str, starts: list[NodeRef]) -> None: ...


@dataclass(frozen=True)
class ItemPage:
    """A page of items with what a page shows beside them: their SHOWS and ABOUT relationships and
    the images and cases these lead to."""

    items: list[Node]
    total: int
    links: dict[str, list[Neighbour]]  # by relationship type
    linked: dict[NodeRef, Props]


Asked = TypeVar("Asked", bound=Hashable)
Answer = TypeVar("Answer")


class KeptAnswers(Generic[Asked, Answer]):
    """Answers a store keeps until anyone commits: each is kept with the graph's generation it was
    worked out at and given again only at that generation. Bounded (emptied when full: the questions
    asked are few, but not counted on) and safe across threads."""

    def __init__(self, most: int = 256) -> None:
        self.most = most
        self._kept: dict[Asked, tuple[int, Answer]] = {}
        self._lock = threading.Lock()

    def get(self, asked: Asked, generation: int) -> Answer | None:
        found = self._kept.get(asked)
        return found[1] if found is not None and found[0] == generation else None

    def put(self, asked: Asked, generation: int, answer: Answer) -> None:
        with self._lock:
            if len(self._kept) >= self.most:
                self._kept.clear()
            self._kept[asked] = (generation, answer)

    def answer(self, asked: Asked, generation: int, work: Callable[[], Answer]) -> Answer:
        """The kept answer, else work()'s, kept."""
        found = self.get(asked, generation)
        if found is None:
            found = work()
            self.put(asked, generation, found)
        return found


PAGE_LINKS = ("SHOWS", "ABOUT")
# what a page brings of each image: what is shown, not the audit's hashes and grey copies (1 KB an image)
PAGE_IMAGE_PROPS = ("sha256", "width", "height", "format", "mode", "byteSize", "modality", "blob")


def _only(props: Props, keep: Sequence[str] | None) -> Props:
    return props if keep is None else {k: props[k] for k in keep if k in props}


def path_sort_key(path: Path) -> list[str]:
    return path.describe()


class GraphStore(ABC):
    """One graph, two implementations (embedded networkx and Neo4j); answers must be identical."""

    name: str = "store"
    # the most rows (nodes and relationships) an import should write in one transaction; None: no bound.
    # An import larger than this writes several transactions and takes back what it created on a failure.
    transaction_rows: int | None = None
    # commits by this object so far: a reader that asked for the generation when it was n knows the
    # first n are counted (api/versioning.py's lease); it only grows
    commits: int = 0

    # -- lifecycle ------------------------------------------------------------------------------
    def init(self) -> None:
        """Create constraints and indexes (idempotent). Embedded: nothing to do."""

    def close(self) -> None:
        """Release connections and files."""

    @abstractmethod
    def clear(self) -> None:
        """Delete the whole graph (`mmrare graph reset`, tests)."""

    def __enter__(self) -> GraphStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- writes ---------------------------------------------------------------------------------
    @abstractmethod
    def transaction(self) -> AbstractContextManager[WriteTx]:
        """`with store.transaction() as tx:` commits on success, writes nothing on any error."""

    def bulk(self) -> AbstractContextManager[None]:
        """`with store.bulk():` around an import's several transactions: a store may make them cheaper
        as long as all of them are durable when the block ends (each stays all or nothing). Neo4j:
        nothing changes."""
        return nullcontext()

    def upsert_nodes(self, label: str, rows: Iterable[Props]) -> int:
        with self.transaction() as tx:
            return tx.upsert_nodes(label, rows)

    def upsert_rels(self, rel_type: str, rows: Iterable[RelRow]) -> int:
        with self.transaction() as tx:
            return tx.upsert_rels(rel_type, rows)

    # -- reads ----------------------------------------------------------------------------------
    def get(self, ref: NodeRef) -> Node | None:
        found = self.get_many(ref.label, [ref.key])
        return Node(ref, found[ref.key]) if ref.key in found else None

    def get_many(self, label: str, keys: Iterable[Key]) -> dict[Key, Props]:
        """Properties (key included) of the nodes that exist, by key."""
        refs = [NodeRef(label, check_key(label, k, "lookup")) for k in dict.fromkeys(keys)]
        return self._get_many(refs) if refs else {}

    def existing(self, refs: Iterable[NodeRef]) -> set[NodeRef]:
        """The subset of refs that are nodes of the graph."""
        by_label: dict[str, list[Key]] = {}
        for ref in refs:
            by_label.setdefault(ref.label, []).append(ref.key)
        return {NodeRef(label, key) for label, keys in by_label.items() for key in self.get_many(label, keys)}

    def properties(self, label: str, names: Sequence[str]) -> dict[Key, Props]:
        """Only the named properties of every node of a label, by key (a property a node lacks is left
        out): for whole-graph questions that need a few facts of many nodes, not their whole text."""
        node_spec(label)
        bad = [n for n in names if not PROPERTY_NAME.fullmatch(n)]
        if bad or not names:
            raise ValueError(f"property names must be identifiers, at least one: {bad or names!r}")
        names = list(dict.fromkeys(names))
        return {key: {n: v for n, v in zip(names, values, strict=True) if v is not None}
                for key, values in self._property_rows(label, names)}  # fmt: skip

    def pairs(self, rel_type: str) -> list[tuple[Key, Key]]:
        """(start key, end key) of every relationship of a type that joins one label to another, in no
        set order: a whole relation at once, without a NodeRef per end."""
        return keyed_pairs(rel_type, self._pairs(rel_type, None))

    def pairs_with(self, rel_type: str, prop: str) -> list[tuple[Key, Key, Any]]:
        """As `pairs`, with one property of each relationship (None where it has none)."""
        if not PROPERTY_NAME.fullmatch(prop):
            raise ValueError(f"a property name must be an identifier: {prop!r}")
        return keyed_pairs(rel_type, self._pairs(rel_type, prop))

    def neighbours(
        self, refs: Sequence[NodeRef], rel_type: str, direction: Direction = Direction.OUT
    ) -> list[Neighbour]:
        """Relationships of one type at each start node, sorted by (start, node, rid) in NodeRef order."""
        rel_spec(rel_type)
        if not refs:
            return []
        found = self._neighbours(list(dict.fromkeys(refs)), rel_type, Direction(direction))
        return sorted(found, key=link_order)

    def closure(
        self, refs: Sequence[NodeRef], rel_type: str, direction: Direction = Direction.OUT, include_self: bool = False
    ) -> set[NodeRef]:
        """All nodes reachable from any start over one relationship type (e.g. SUBCLASS_OF out = ancestors)."""
        reached: set[NodeRef] = set()
        for found in self.closure_each(refs, rel_type, direction, include_self).values():
            reached |= found
        return reached

    def closure_each(
        self, refs: Sequence[NodeRef], rel_type: str, direction: Direction = Direction.OUT, include_self: bool = False
    ) -> dict[NodeRef, frozenset[NodeRef]]:
        """The closure of each start node separately (only start nodes that exist are keys)."""
        rel_spec(rel_type)
        starts = list(dict.fromkeys(refs))
        if not starts:
            return {}
        existing = self.existing(starts) if include_self else set()
        out = self._closure_each(starts, rel_type, Direction(direction))
        if include_self:
            for ref in existing:
                out[ref] = frozenset(out.get(ref, frozenset()) | {ref})
        return out

    def select(
        self,
        label: str,
        where: Sequence[Where] = (),
        order_by: str | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[Node]:
        """Nodes of one label matching every condition, ordered by a property (default: the key)."""
        spec = node_spec(label)
        if (limit is not None and limit < 0) or offset < 0:
            raise ValueError("limit and offset must not be negative")
        return self._select(label, list(where), order_by or spec.key, limit, offset)

    def shortest_paths(
        self,
        sources: Sequence[NodeRef],
        targets: Sequence[NodeRef],
        rel_types: Sequence[str],
        max_hops: int,
        direction: Direction = Direction.BOTH,
    ) -> list[Path]:
        """For every (source, target) pair joined within max_hops over the allowed types, one shortest
        path: the first in the order of `Path.describe()`, so ties break the same way on every store."""
        for t in rel_types:
            rel_spec(t)
        if not 0 < max_hops <= MAX_HOPS:
            raise ValueError(f"max_hops must be between 1 and {MAX_HOPS}")
        sources = list(dict.fromkeys(sources))
        targets = list(dict.fromkeys(targets))
        if not sources or not targets or not rel_types:
            return []
        best: dict[tuple[NodeRef, NodeRef], Path] = {}
        for ref in self.existing(set(sources) & set(targets)):
            best[(ref, ref)] = Path((ref,), ())
        for path in self._all_shortest_paths(sources, targets, sorted(set(rel_types)), max_hops, Direction(direction)):
            pair = (path.nodes[0], path.nodes[-1])
            if pair not in best or path_sort_key(path) < path_sort_key(best[pair]):
                best[pair] = path
        return sorted(best.values(), key=path_sort_key)

    def item_page(self, f: ItemFilter, offset: int, limit: int) -> tuple[list[Node], int]:
        """A page of the items a subset filter selects, in natural id order, and their total. This
        default composes the primitives (graph/subsets.py); a store may answer it in one query."""
        from mmrare.graph.subsets import select_items

        chosen = select_items(self, f)
        return chosen[offset : offset + limit], len(chosen)

    def item_page_linked(self, f: ItemFilter, offset: int, limit: int) -> ItemPage:
        """item_page with the page's images (PAGE_IMAGE_PROPS) and cases; this default adds two lookups
        per kind."""
        items, total = self.item_page(f, offset, limit)
        refs = [n.ref for n in items]
        links = {t: self.neighbours(refs, t) for t in PAGE_LINKS}
        linked: dict[NodeRef, Props] = {}
        for found in links.values():
            for label in {n.node.label for n in found}:
                got = self.get_many(label, [n.node.key for n in found if n.node.label == label])
                keep = PAGE_IMAGE_PROPS if label == "Image" else None
                linked.update({NodeRef(label, k): _only(v, keep) for k, v in got.items()})
        return ItemPage(items, total, links, linked)

    def report_facts(self, run_ids: Sequence[str] = ()) -> list[PredictionFacts]:
        """What a report needs of every prediction of the runs (all when none are named), by run in
        the order given (by run id for all), then by prediction id (graph/questions.py)."""
        from mmrare.graph.questions import report_facts

        return report_facts(self, list(run_ids))

    def disease_search(
        self, search: str | None = None, under: int | None = None, prevalence: str | None = None, limit: int = 50
    ) -> list[Props]:
        """Diseases by name or synonym, under a class, of a prevalence class (graph/questions.py)."""
        from mmrare.graph.questions import disease_search

        return disease_search(self, search or None, under, prevalence or None, limit)

    def ping(self) -> None:
        """Raises StoreUnavailableError when the store cannot answer (an in-process store always can)."""

    def warm(self) -> None:
        """Readies a server's store for its first callers (nothing to do in process): what a store
        prepares on a statement's first run is prepared before anyone waits for it. Reads only, and
        keeps no answer: the first caller's answer is still worked out from the graph."""

    def count_nodes(self, label: str | None = None) -> int:
        if label is not None:
            node_spec(label)
        return self._count_nodes(label)

    def count_rels(self, rel_type: str | None = None) -> int:
        if rel_type is not None:
            rel_spec(rel_type)
        return self._count_rels(rel_type)

    def generation(self, parts: Collection[str] | None = None) -> int:
        """A number that moves in the same transaction as every write (a clear too) and never goes back:
        whatever was computed from the graph at one generation holds until it changes.

        With `parts` (labels and relationship types, e.g. model.CONTENT): the generation of the last
        commit that wrote any of them (a clear writes every part; 0 when none has been written since
        the store began recording parts). It moves with those writes only, so what was computed from
        just those parts holds until it changes, whatever else is written meanwhile."""
        if parts is None:
            return self._generation_of(None)
        for part in parts:
            if part not in NODES and part not in RELS:
                raise ValueError(f"unknown label or relationship type {part!r}")
        return self._generation_of(sorted(parts))

    @abstractmethod
    def _generation_of(self, parts: list[str] | None) -> int:
        """The generation (None), or the generation of the last commit that wrote one of `parts`."""

    def stats(self) -> dict[str, dict[str, int]]:
        """Counts of every label and relationship type (zeros included), for `mmrare graph stats`."""
        from mmrare.graph.model import NODES, RELS

        return {
            "nodes": {label: self.count_nodes(label) for label in NODES},
            "relationships": {t: self.count_rels(t) for t in RELS},
        }

    # -- primitives -----------------------------------------------------------------------------
    @abstractmethod
    def _get_many(self, refs: list[NodeRef]) -> dict[Key, Props]: ...

    @abstractmethod
    def _property_rows(self, label: str, names: list[str]) -> Iterable[tuple[Key, Sequence[Any]]]:
        """(key, the named properties in order, None where missing) of every node of a label."""

    @abstractmethod
    def _pairs(self, rel_type: str, prop: str | None) -> list[tuple[Any, ...]]:
        """The uids at both ends of every relationship of one type, and its `prop` when one is named."""

    @abstractmethod
    def _neighbours(self, refs: list[NodeRef], rel_type: str, direction: Direction) -> list[Neighbour]: ...

    @abstractmethod
    def _closure_each(
        self, refs: list[NodeRef], rel_type: str, direction: Direction
    ) -> dict[NodeRef, frozenset[NodeRef]]: ...

    @abstractmethod
    def _select(self, label: str, where: list[Where], order_by: str, limit: int | None, offset: int) -> list[Node]: ...

    @abstractmethod
    def _all_shortest_paths(
        self, sources: list[NodeRef], targets: list[NodeRef], rel_types: list[str], max_hops: int, direction: Direction
    ) -> Iterator[Path]:
        """Shortest paths (length >= 1) for each reachable pair; may yield several per pair."""

    @abstractmethod
    def _count_nodes(self, label: str | None) -> int: ...

    @abstractmethod
    def _count_rels(self, rel_type: str | None) -> int: ...


def order_value(value: Any) -> tuple[int, Any]:
    """Sort key that puts missing values last, as Cypher's ORDER BY does."""
    return (1, 0) if value is None else (0, value)
