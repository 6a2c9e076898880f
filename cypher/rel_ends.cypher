// Both ends (uids) of every relationship of one type. Mirrors graph/store.py ends.
MATCH (a:Node)-[:__TYPE__]->(b:Node)
RETURN a.uid AS src, b.uid AS dst
