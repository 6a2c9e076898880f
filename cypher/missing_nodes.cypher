// Which of the given uids have no node (to name the endpoint a relationship batch lacks).
// USING INDEX SEEK: a plan made while the graph was empty (after a clear) scanned the whole index for
// each row once the graph filled up (an Orphanet import took 84 s instead of 11 s); the hint keeps the seek.
UNWIND $uids AS u
OPTIONAL MATCH (n:Node {uid: u}) USING INDEX SEEK n:Node(uid)
WITH u, n WHERE n IS NULL
RETURN u AS uid
