// A few named properties ($names) of every node of one label, as [key, values] in one record (the
// driver's cost is per record); a missing one is null. Mirrors graph/store.py properties (the caller
// leaves nulls out).
MATCH (n:__LABEL__)
RETURN collect([n.__KEY__, [name IN $names | n[name]]]) AS rows
