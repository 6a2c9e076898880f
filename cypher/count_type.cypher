MATCH ()-[r:__TYPE__]->() RETURN count(r) AS n
