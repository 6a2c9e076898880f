"""Which parts of the graph a GraphQL operation reads: the benchmark's content only, or results too.

Runs land often (every upload is one) and change nothing an item page shows. An answer that reads
content parts only (graph.model.CONTENT) holds until the content changes, so the response cache keeps
it under the content's generation, which uploads do not move; any other answer is kept under the
whole graph's generation.

An operation reads content only when every field it selects does:
- a field of the root Query declared with `metadata=CONTENT_ONLY`,
- or a field of an object type declared `@content_only` (its resolvers read content parts only),
- and in both cases the field's type is a scalar, an enum or a `@content_only` object type
  (`Item.predictions` is a list of Prediction, which is not: selecting it reads results).
Nothing else is assumed: a field nobody declared reads the whole graph, so a new field can make
answers be kept for a shorter time, never for too long.
"""

from __future__ import annotations

from typing import Any, TypeVar

from graphql import (
    DocumentNode,
    FieldNode,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    TypeInfo,
    TypeInfoVisitor,
    Visitor,
    get_named_type,
    is_leaf_type,
    visit,
)
from graphql.language.visitor import BREAK, SKIP

from mmrare.graph.model import CONTENT

CONTENT_ONLY = {"mmrare.reads": "content"}  # the metadata of a root field that reads content only
_MARK = "__mmrare_content_only__"
T = TypeVar("T")


def content_only(cls: T) -> T:
    """Declares that every resolver of a GraphQL object type reads content parts only (put above
    `@strawberry.type`); which of its fields reach beyond is told by their types."""
    setattr(cls, _MARK, True)
    return cls


def _origin_declared(named: GraphQLNamedType | None) -> bool:
    definition = (named.extensions or {}).get("strawberry-definition") if named is not None else None
    return bool(getattr(getattr(definition, "origin", None), _MARK, False))


def _type_is_content(named: GraphQLNamedType) -> bool:
    return is_leaf_type(named) or _origin_declared(named)


class _ContentOnly(Visitor):
    def __init__(self, schema: GraphQLSchema, type_info: TypeInfo) -> None:
        super().__init__()
        self.schema, self.type_info = schema, type_info
        self.content_only = True

    def enter_field(self, node: FieldNode, *_: Any) -> Any:
        if node.name.value.startswith("__"):
            return SKIP  # introspection and __typename: the schema's shape, not the graph
        parent, field = self.type_info.get_parent_type(), self.type_info.get_field_def()
        if field is None or not isinstance(parent, GraphQLObjectType):
            self.content_only = False  # an unknown field: the operation fails on its own path
            return BREAK
        if parent is self.schema.query_type:
            definition = (field.extensions or {}).get("strawberry-definition")
            declared = (getattr(definition, "metadata", None) or {}).get("mmrare.reads") == "content"
        else:
            declared = _origin_declared(parent)
        if not (declared and _type_is_content(get_named_type(field.type))):
            self.content_only = False
            return BREAK
        return None


def parts_read(schema: GraphQLSchema, document: DocumentNode) -> frozenset[str] | None:
    """graph.model.CONTENT when every field the document selects reads content only; None (the
    whole graph) otherwise. The whole document is looked at, fragments included."""
    type_info = TypeInfo(schema)
    check = _ContentOnly(schema, type_info)
    visit(document, TypeInfoVisitor(type_info, check))
    return CONTENT if check.content_only else None
