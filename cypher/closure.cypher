// Nodes reachable from each start over one relationship type. DISTINCT endpoints let the planner
// use a pruning (breadth-first) expand instead of enumerating every path of the DAG.
// USING INDEX SEEK: a plan made while the graph was empty (after a clear) scanned the whole index for
// each row once the graph filled up (an Orphanet import took 84 s instead of 11 s); the hint keeps the seek.
UNWIND $uids AS u
MATCH (a:Node {uid: u}) USING INDEX SEEK a:Node(uid)
OPTIONAL MATCH (a)__LEFT__[:__TYPE__*1..]__RIGHT__(b)
WITH u, b WHERE b IS NULL OR b <> a
RETURN u AS start, collect(DISTINCT b.uid) AS reached
