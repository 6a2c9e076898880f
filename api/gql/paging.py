"""Relay-style paging: opaque cursors over offsets, and the item connection."""

from __future__ import annotations

import base64

import strawberry

from mmrare.api.gql.reads import content_only
from mmrare.api.gql.types import Item, LeakageFinding


def cursor_at(offset: int) -> str:
    return base64.b64encode(f"offset:{offset}".encode()).decode()


def offset_after(cursor: str | None) -> int:
    """The offset just after a cursor this API gave out; anything else is refused."""
    if not cursor:
        return 0
    try:
        text = base64.b64decode(cursor, validate=True).decode()
        offset = int(text.removeprefix("offset:")) if text.startswith("offset:") else -1
    except ValueError:
        offset = -1
    if offset < 0:
        raise ValueError("not a cursor from this API")
    return offset + 1


def page_info(offset: int, shown: int, total: int) -> PageInfo:
    """Whether more follow the `shown` entries starting at `offset`, and the last one's cursor."""
    return PageInfo(has_next_page=offset + shown < total, end_cursor=cursor_at(offset + shown - 1) if shown else None)


@content_only
@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


@content_only
@strawberry.type
class ItemEdge:
    cursor: str
    node: Item


@content_only
@strawberry.type
class ItemConnection:
    edges: list[ItemEdge]
    page_info: PageInfo
    total_count: int


@content_only
@strawberry.type
class FindingEdge:
    cursor: str
    node: LeakageFinding


@content_only
@strawberry.type
class FindingConnection:
    edges: list[FindingEdge]
    page_info: PageInfo
    total_count: int
