"""Disease-stratified item subsets: items under any Orphanet class, by prevalence, track and image count."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from mmrare.graph.model import Direction, Node, NodeRef
from mmrare.graph.store import GraphStore, Where


@dataclass(frozen=True)
class ItemFilter:
    tracks: tuple[str, ...] = ()
    under: tuple[int, ...] = ()  # ORPHAcodes: items whose answer is the class or any descendant
    prevalence_classes: tuple[str, ...] = ()
    min_images: int | None = None
    max_images: int | None = None
    modalities: tuple[str, ...] = ()  # any of these
    leak_free: bool | None = None
    aligned: bool | None = None  # has an ANSWER_IS link

    @property
    def classes_only(self) -> bool:
        """Classes and no other condition: both stores page such a subset as a slice of the items
        they keep under the classes, in page order."""
        return bool(self.under) and self == ItemFilter(under=self.under)

    def query_params(self) -> dict[str, object]:
        """The filter as the parameters both stores' one-statement item page takes
        (cypher/item_page.cypher, graph/embedded_sql.py)."""
        return {
            "tracks": list(self.tracks),
            "min_images": self.min_images,
            "max_images": self.max_images,
            "leak_free": self.leak_free,
            "modalities": list(self.modalities),
            "aligned": self.aligned,
            "under": list(self.under),
            "prevalence": list(self.prevalence_classes),
        }


def _items_answering(store: GraphStore, codes: Sequence[int]) -> set[str]:
    refs = [NodeRef("Disease", c) for c in codes]
    return {str(n.node.key) for n in store.neighbours(refs, "ANSWER_IS", Direction.IN)}


def select_items(store: GraphStore, f: ItemFilter) -> list[Node]:
    where = []
    if f.tracks:
        where.append(Where("track", "in", list(f.tracks)))
    if f.min_images is not None:
        where.append(Where("nImages", "gte", f.min_images))
    if f.max_images is not None:
        where.append(Where("nImages", "lte", f.max_images))
    if f.leak_free is not None:
        where.append(Where("leakFree", "eq", f.leak_free))
    items = store.select("Item", where, order_by="itemId")
    if f.modalities:
        items = [i for i in items if set(i.props.get("modalities", [])) & set(f.modalities)]
    if f.aligned is not None:
        answered = {str(n.start.key) for n in store.neighbours([i.ref for i in items], "ANSWER_IS")}
        items = [i for i in items if (i.ref.key in answered) == f.aligned]
    keep: set[str] | None = None
    if f.under:
        classes = store.closure(
            [NodeRef("Disease", c) for c in f.under], "SUBCLASS_OF", Direction.IN, include_self=True
        )
        keep = _items_answering(store, [int(r.key) for r in classes])
    if f.prevalence_classes:
        diseases = store.select("Disease", [Where("prevalenceClass", "in", list(f.prevalence_classes))])
        answering = _items_answering(store, [int(d.ref.key) for d in diseases])
        keep = answering if keep is None else keep & answering
    chosen = [i for i in items if keep is None or i.ref.key in keep]
    # natural order, crossmodal:11 before crossmodal:100 (the store orders the text of the id)
    return sorted(chosen, key=lambda i: (i.props["track"], i.props["index"]))
