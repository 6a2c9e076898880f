"""The per-request GraphQL context: the service, the caller, and one dataloader per kind of lookup."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from strawberry.dataloader import DataLoader
from strawberry.fastapi import BaseContext
from strawberry.types import Info

from mmrare.api.auth import Principal
from mmrare.api.service import GraphService
from mmrare.graph.model import Direction


class Context(BaseContext):
    def __init__(self, service: GraphService, principal: Principal) -> None:
        super().__init__()
        self.service, self.principal = service, principal
        self._loaders: dict[tuple, DataLoader] = {}

    def loader(self, key: tuple, batch: Callable[[list], list]) -> DataLoader:
        """One dataloader per kind of lookup and request: a page of items costs one store call per kind."""
        if key not in self._loaders:

            async def load(keys: list) -> list:
                return batch(list(keys))

            self._loaders[key] = DataLoader(load_fn=load)
        return self._loaders[key]

    def node(self, label: str, key: Any) -> Awaitable[dict | None]:
        return self.loader(("node", label), lambda ks: self.service.nodes(label, ks)).load(key)

    def links(self, label: str, key: Any, rel: str, direction: Direction = Direction.OUT) -> Awaitable[list]:
        return self.loader(
            ("links", label, rel, direction), lambda ks: self.service.links(label, ks, rel, direction)
        ).load(key)

    def closure(self, code: int, direction: Direction) -> Awaitable[list[int]]:
        return self.loader(("closure", direction), lambda ks: self.service.closures(ks, direction)).load(code)


def ctx(info: Info) -> Context:
    return info.context


def maintainer_only(info: Info) -> None:
    if not ctx(info).principal.is_maintainer:
        raise PermissionError("the maintainer role is required to read the answer key")


async def nodes_of(info: Info, label: str, keys: list) -> list[dict]:
    found = await asyncio.gather(*(ctx(info).node(label, k) for k in keys))
    return [f for f in found if f is not None]


def answer_key(info: Info, value: Any) -> Any:
    maintainer_only(info)
    return value


def bounded(limit: int, maximum: int) -> int:
    """A page size between 1 and `maximum`; anything else is the caller's mistake."""
    if not 0 < limit <= maximum:
        raise ValueError(f"limit must be between 1 and {maximum}")
    return limit
