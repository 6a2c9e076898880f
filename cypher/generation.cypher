// The graph's generation (0 before any write).
OPTIONAL MATCH (m:GraphMeta {name: 'generation'})
RETURN coalesce(m.value, 0) AS generation
