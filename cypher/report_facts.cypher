// What a stratified report needs of each prediction of the runs ($runs; all runs when empty), in
// one statement: run, model domain, prediction, item, case, the answer's codes (ascending), the
// classes they descend from (themselves included), their prevalence classes and head names.
// Of the prediction only its ids and numbers, of the item only what a report reads (nulls dropped by
// the caller). Mirrors graph/questions.py report_facts (the store orders the rows).
MATCH (r:Run)
WHERE size($runs) = 0 OR r.runId IN $runs
OPTIONAL MATCH (r)-[:OF_MODEL]->(m:Model)
MATCH (p:Prediction)-[:IN_RUN]->(r)
MATCH (i:Item {itemId: p.itemId})
OPTIONAL MATCH (i)-[:ABOUT]->(c:Case)
CALL (i) {
  OPTIONAL MATCH (i)-[:ANSWER_IS]->(d:Disease)
  WITH d ORDER BY d.orphaCode
  RETURN collect(d) AS answers
}
RETURN r.runId AS run, r.model AS model, m.domain AS domain,
       [k IN keys(p) WHERE k IN ['predictionId', 'itemId'] OR valueType(p[k]) STARTS WITH 'INTEGER'
                        OR valueType(p[k]) STARTS WITH 'FLOAT' OR valueType(p[k]) STARTS WITH 'BOOLEAN' | [k, p[k]]]
         AS prediction,
       i {.track, .cluster, .modalities, .nImages, .leakFree, .nObserved, .cohort} AS item, c.caseId AS caseId,
       [d IN answers | d.orphaCode] AS codes,
       [d IN answers WHERE d.prevalenceClass IS NOT NULL | d.prevalenceClass] AS prevalences,
       COLLECT { UNWIND answers AS d MATCH (d)-[:SUBCLASS_OF*0..]->(a:Disease) RETURN DISTINCT a.orphaCode } AS classes,
       COLLECT { UNWIND answers AS d UNWIND coalesce(d.heads, []) AS h MATCH (hd:Disease {orphaCode: h})
                 RETURN DISTINCT coalesce(hd.name, toString(h)) } AS heads
