MATCH (n:Node) RETURN count(n) AS n
