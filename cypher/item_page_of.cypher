// The items of a page known by their uids (a slice of cypher/items_under.cypher's list, for a page of
// classes alone), in the order given, with their images (SHOWS) and cases (ABOUT) as
// cypher/item_page.cypher gives them: each item found by its uid through the uid index (as
// cypher/get_nodes.cypher does), not by walking the item order.
UNWIND range(0, size($uids) - 1) AS k
WITH k, $uids[k] AS uid
MATCH (i:Node {uid: uid}) USING INDEX SEEK i:Node(uid)
WHERE i:Item
WITH i ORDER BY k
RETURN collect(__ENTRY__) AS page
