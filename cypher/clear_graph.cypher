// Remove every domain node (:Node) and relationship, in batches so a large graph does not need one
// huge transaction (1,000 nodes: a batch of 10,000 well-connected nodes ran a 2 GB heap into collector
// thrashing). The generation's node is not a :Node: it stays.
MATCH (n:Node)
CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 1000 ROWS
