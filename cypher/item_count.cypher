// How many items a subset filter selects (the filter of cypher/item_page.cypher).
MATCH (i:Item) WHERE i.track IS NOT NULL AND i.index IS NOT NULL AND __FILTER__
RETURN count(i) AS total
