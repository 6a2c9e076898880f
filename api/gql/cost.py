"""Query cost, bounded before anything runs.

The estimate walks the parsed query with the schema's types: every field costs 1, and a field that
returns a list of objects multiplies what is selected beneath it by its page size: its `limit` or
`first` argument (literal or variable); for a connection, the `first` of the field above its
`edges`; else DEFAULT_LIST_SIZE. A list of plain values costs 1. A query above the budget is
refused with its estimate, so nesting such as diseases(limit: 100) { descendants(limit: 1000) {
ancestors { ... } } } never reaches a resolver.

Page sizes are read from the variables as the executor will coerce them: a variable left out takes
its declared default (`query($n: Int = 1000)`). A fragment's cost is worked out once per place it
can stand (memoised), so fragments that each spread the next twice cost linear time to estimate,
and their exponential expansion is refused, as is a document of more than MAX_FRAGMENTS fragments.
"""

from __future__ import annotations

from typing import Any, cast

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
MAX_FRAGMENTS = 50
# selections once every fragment spread is expanded: checked before validation, whose depth and alias
# rules expand fragments themselves (exponentially for fragments that spread the next twice)
MAX_EXPANDED = 20_000
MAX_LIST_VARIABLE = 1_000  # entries of one list variable (runs named, ...): checked before they are coerced
SIZE_ARGUMENTS = ("limit", "first")


def query_cost(schema: Any, document: Any, variables: dict[str, Any] | None, operation: str | None = None) -> int:
    """The estimated number of field resolutions of the operation chosen (the first when unnamed)."""
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    chosen = next((o for o in operations if operation is None or (o.name and o.name.value == operation)), None)
    if chosen is None:
        return 0
    root = schema.get_root_type(chosen.operation)
    walk = _Walk(schema, {**_defaults(chosen), **(variables or {})}, fragments)
    return walk.selection_cost(root, chosen.selection_set, frozenset())


def check_expansion(document: Any) -> None:
    """Refuse, in time linear in the document, one of too many fragments, or whose fragment spreads
    expand to more than MAX_EXPANDED selections (each fragment's expansion counted once)."""
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    if len(fragments) > MAX_FRAGMENTS:
        raise GraphQLError(f"too many fragments: {len(fragments)}, over {MAX_FRAGMENTS}")
    sizes: dict[str, int] = {}

    def expanded(selection_set: SelectionSetNode | None, path: frozenset[str]) -> int:
        total = 0
        for node in selection_set.selections if selection_set is not None else ():
            if isinstance(node, FragmentSpreadNode):
                name = node.name.value
                if name in path or name not in fragments:
                    continue  # a cycle or an unknown fragment: validation names it
                if name not in sizes:
                    sizes[name] = expanded(fragments[name].selection_set, path | {name})
                total += sizes[name]
            else:
                total += 1 + expanded(cast("FieldNode | InlineFragmentNode", node).selection_set, path)
        return total

    size = sum(expanded(d.selection_set, frozenset()) for d in document.definitions if hasattr(d, "selection_set"))
    if size > MAX_EXPANDED:
        raise GraphQLError(
            f"query too costly: its fragments expand to {size:,} selections, over {MAX_EXPANDED:,}; "
            "spread each fragment fewer times"
        )


def _defaults(operation: OperationDefinitionNode) -> dict[str, Any]:
    """The operation's variables that have a default, at their default (what a caller who leaves
    them out gets)."""
    return {
        d.variable.name.value: value_from_ast_untyped(d.default_value)
        for d in operation.variable_definitions or ()
        if d.default_value is not None
    }


class _Walk:
    """The cost walk over one operation, with each fragment's cost remembered per (fragment, type
    it is spread into, inherited page size): a fragment spread many times is worked out once."""

    def __init__(self, schema: Any, variables: dict[str, Any], fragments: dict[str, FragmentDefinitionNode]) -> None:
        self.schema, self.variables, self.fragments = schema, variables, fragments
        self.memo: dict[tuple[str, int | None], int] = {}

    def selection_cost(
        self,
        parent: GraphQLObjectType,
        selection_set: SelectionSetNode | None,
        seen: frozenset[str],
        inherited: int | None = None,
    ) -> int:
        if selection_set is None:
            return 0
        total = 0
        for node in selection_set.selections:
            if isinstance(node, FieldNode):
                total += self.field_cost(parent, node, seen, inherited)
            elif isinstance(node, InlineFragmentNode):
                target = self.schema.get_type(node.type_condition.name.value) if node.type_condition else parent
                total += self.selection_cost(target, node.selection_set, seen, inherited)
            elif isinstance(node, FragmentSpreadNode) and node.name.value not in seen:  # a cycle is invalid
                total += self.fragment_cost(node.name.value, seen, inherited)
        return total

    def field_cost(
        self, parent: GraphQLObjectType, node: FieldNode, seen: frozenset[str], inherited: int | None
    ) -> int:
        field = parent.fields.get(node.name.value) if hasattr(parent, "fields") else None
        if field is None:
            return 1  # __typename and friends; validation rejects unknown fields
        returns = field.type.of_type if isinstance(field.type, GraphQLNonNull) else field.type
        explicit = _page_size(node, self.variables)
        is_list = isinstance(returns, GraphQLList) and node.selection_set is not None
        # a connection's `first` sizes its `edges`
        below = self.selection_cost(get_named_type(field.type), node.selection_set, seen, None if is_list else explicit)
        size = (explicit or inherited or DEFAULT_LIST_SIZE) if is_list else 1
        return size * (1 + below)

    def fragment_cost(self, name: str, seen: frozenset[str], inherited: int | None) -> int:
        fragment = self.fragments.get(name)
        if fragment is None:
            return 0
        key = (name, inherited)
        if key not in self.memo:
            target = self.schema.get_type(fragment.type_condition.name.value)
            self.memo[key] = self.selection_cost(target, fragment.selection_set, seen | {name}, inherited)
        return self.memo[key]


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

    def on_validate(self):
        for name, value in (self.execution_context.variables or {}).items():
            if isinstance(value, list) and len(value) > MAX_LIST_VARIABLE:
                raise GraphQLError(f"${name} holds {len(value):,} entries; at most {MAX_LIST_VARIABLE:,}")
        if self.execution_context.graphql_document is not None:
            check_expansion(self.execution_context.graphql_document)
        yield

    def on_execute(self):
        ctx = self.execution_context
        if ctx.graphql_document is not None:
            cost = query_cost(ctx.schema._schema, ctx.graphql_document, ctx.variables, ctx.operation_name)
            if cost > self.budget:
                raise GraphQLError(
                    f"query too costly: about {cost:,} field resolutions, over the budget of {self.budget:,}; "
                    "ask for smaller pages or less nesting"
                )
        yield
