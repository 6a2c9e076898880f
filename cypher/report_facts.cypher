// What a stratified report needs of each prediction of the runs ($runs; all runs when empty): run,
// model domain, prediction, item, case and the answer's codes. Of the prediction only its ids and
// numbers, of the item only what a report reads (nulls dropped by the caller). What the codes descend
// from is asked once per distinct code (report_codes.cypher), not once per prediction. Mirrors
// graph/questions.py report_facts (the store orders the rows and the codes).
MATCH (r:Run)
WHERE size($runs) = 0 OR r.runId IN $runs
OPTIONAL MATCH (r)-[:OF_MODEL]->(m:Model)
MATCH (p:Prediction)-[:IN_RUN]->(r)
MATCH (i:Item {itemId: p.itemId})
OPTIONAL MATCH (i)-[:ABOUT]->(c:Case)
RETURN r.runId AS run, r.model AS model, m.domain AS domain,
       [k IN keys(p) WHERE k IN ['predictionId', 'itemId'] OR valueType(p[k]) STARTS WITH 'INTEGER'
                        OR valueType(p[k]) STARTS WITH 'FLOAT' OR valueType(p[k]) STARTS WITH 'BOOLEAN' | [k, p[k]]]
         AS prediction,
       i {.track, .cluster, .modalities, .nImages, .leakFree, .nObserved, .cohort} AS item, c.caseId AS caseId,
       COLLECT { MATCH (i)-[:ANSWER_IS]->(d:Disease) RETURN d.orphaCode } AS codes
