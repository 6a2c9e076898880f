// Delete every relationship of one type leaving the given nodes (before an import rewrites them).
UNWIND $uids AS u
MATCH (a:Node {uid: u})-[r:__TYPE__]->()
DELETE r
