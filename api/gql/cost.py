"""Query cost, bounded before anything runs.

The estimate walks the parsed query with the schema's types: every field costs 1, and a field that
returns a list of objects multiplies what is selected beneath it by its page size: its `limit` or
`first` argument (literal or variable); for a connection, the `first` of the field above its
`edges`; else DEFAULT_LIST_SIZE. A list of plain values costs 1. A query above the budget is
refused with its estimate, so nesting such as diseases(limit: 100) { descendants(limit: 1000) {
ancestors { ... } } } never reaches a resolver.
"""

from __future__ import annotations

from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
    value_from_ast_untyped,
)
from strawberry.extensions import SchemaExtension

DEFAULT_LIST_SIZE = 10  # lists without a page size (images, ancestors, heads...) count as this long
BUDGET = 50_000
SIZE_ARGUMENTS = ("limit", "first")


def query_cost(schema: Any, document: Any, variables: dict[str, Any] | None, operation: str | None = None) -> int:
    """The estimated number of field resolutions of the operation chosen (the first when unnamed)."""
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    chosen = next((o for o in operations if operation is None or (o.name and o.name.value == operation)), None)
    if chosen is None:
        return 0
    root = schema.get_root_type(chosen.operation)
    return _selection_cost(schema, root, chosen.selection_set, variables or {}, fragments, set())


def _selection_cost(
    schema: Any,
    parent: GraphQLObjectType,
    selection_set: SelectionSetNode | None,
    variables: dict[str, Any],
    fragments: dict[str, FragmentDefinitionNode],
    seen: set[str],
    inherited: int | None = None,
) -> int:
    if selection_set is None:
        return 0
    total = 0
    for node in selection_set.selections:
        if isinstance(node, FieldNode):
            field = parent.fields.get(node.name.value) if hasattr(parent, "fields") else None
            if field is None:
                total += 1  # __typename and friends; validation rejects unknown fields
                continue
            returns = field.type.of_type if isinstance(field.type, GraphQLNonNull) else field.type
            explicit = _page_size(node, variables)
            is_list = isinstance(returns, GraphQLList) and node.selection_set is not None
            below = _selection_cost(
                schema,
                get_named_type(field.type),
                node.selection_set,
                variables,
                fragments,
                seen,
                None if is_list else explicit,  # a connection's `first` sizes its `edges`
            )
            size = (explicit or inherited or DEFAULT_LIST_SIZE) if is_list else 1
            total += size * (1 + below)
        elif isinstance(node, InlineFragmentNode):
            target = schema.get_type(node.type_condition.name.value) if node.type_condition else parent
            total += _selection_cost(schema, target, node.selection_set, variables, fragments, seen, inherited)
        elif isinstance(node, FragmentSpreadNode) and node.name.value not in seen:
            fragment = fragments.get(node.name.value)
            if fragment is not None:
                target = schema.get_type(fragment.type_condition.name.value)
                inner_seen = seen | {node.name.value}
                total += _selection_cost(
                    schema, target, fragment.selection_set, variables, fragments, inner_seen, inherited
                )
    return total


def _page_size(node: FieldNode, variables: dict[str, Any]) -> int | None:
    for argument in node.arguments or ():
        if argument.name.value in SIZE_ARGUMENTS:
            value = (
                variables.get(argument.value.name.value)
                if isinstance(argument.value, VariableNode)
                else value_from_ast_untyped(argument.value)
            )
            if isinstance(value, int):
                return max(value, 1)
    return None


class CostLimiter(SchemaExtension):
    """Refuses an operation whose estimated cost is over the budget, before it executes."""

    budget = BUDGET

    def on_execute(self):  # type: ignore[no-untyped-def]
        ctx = self.execution_context
        if ctx.graphql_document is not None:
            cost = query_cost(ctx.schema._schema, ctx.graphql_document, ctx.variables, ctx.operation_name)
            if cost > self.budget:
                raise GraphQLError(
                    f"query too costly: about {cost:,} field resolutions, over the budget of {self.budget:,}; "
                    "ask for smaller pages or less nesting"
                )
        yield
