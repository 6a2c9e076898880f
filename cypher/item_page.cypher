// One page of the items a subset filter selects, in natural id order (track, then index), with the
// page's images (SHOWS) and cases (ABOUT). The order comes from the item_order index, so the statement
// reads items only up to the end of the page, not every item. `$under_items` holds the uids of the
// items under the classes asked for (cypher/items_under.cypher, kept by the store per generation), as
// the filter's count does (cypher/item_count.cypher). Images come with the properties a page shows
// only (graph/store.py PAGE_IMAGE_PROPS), not their hashes and grey copies.
MATCH (i:Item) WHERE i.track IS NOT NULL AND i.index IS NOT NULL AND __FILTER__
WITH i ORDER BY i.track, i.index SKIP $offset LIMIT $limit
RETURN collect(__ENTRY__) AS page
