// Delete every relationship of one type leaving the given nodes (before an import rewrites them).
// USING INDEX SEEK: a plan made while the graph was empty (after a clear) scanned the whole index for
// each row once the graph filled up (an Orphanet import took 84 s instead of 11 s); the hint keeps the seek.
UNWIND $uids AS u
MATCH (a:Node {uid: u})-[r:__TYPE__]->() USING INDEX SEEK a:Node(uid)
DELETE r
