// Properties of nodes by uid (missing ones are simply absent).
UNWIND $uids AS u
MATCH (n:Node {uid: u})
RETURN u AS uid, properties(n) AS props
