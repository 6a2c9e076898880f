// Per answer code ($codes): its prevalence class, every class it descends from (itself included) and
// the names of its classification heads. Asked once per distinct code of a report (report_facts.cypher).
UNWIND $codes AS code
MATCH (d:Disease {orphaCode: code})
RETURN code, d.prevalenceClass AS prevalence,
       COLLECT { MATCH (d)-[:SUBCLASS_OF*0..]->(a:Disease) RETURN DISTINCT a.orphaCode } AS classes,
       COLLECT { UNWIND coalesce(d.heads, []) AS h MATCH (hd:Disease {orphaCode: h})
                 RETURN DISTINCT coalesce(hd.name, toString(h)) } AS heads
