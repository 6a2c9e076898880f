// The generation of the last commit that wrote any of the parts named ($names: 'changed:<part>',
// with 'changed:*' for a clear); 0 when none was written since parts were recorded.
OPTIONAL MATCH (c:GraphMeta) WHERE c.name IN $names
RETURN coalesce(max(c.value), 0) AS generation
