// Nodes of one label matching every condition of $conds ({prop, op, value}); ordered, paged.
// The operators mirror graph/store.py Where.matches.
MATCH (n:__LABEL__)
WHERE all(c IN $conds WHERE
  CASE c.op
    WHEN 'eq' THEN n[c.prop] = c.value
    WHEN 'in' THEN n[c.prop] IN c.value
    WHEN 'gte' THEN n[c.prop] >= c.value
    WHEN 'lte' THEN n[c.prop] <= c.value
    WHEN 'has' THEN c.value IN n[c.prop]
    WHEN 'exists' THEN (n[c.prop] IS NOT NULL) = c.value
    ELSE false
  END)
RETURN properties(n) AS props
ORDER BY n[$order_by], n.__KEY__
SKIP $offset
LIMIT $limit
