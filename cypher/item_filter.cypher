// The conditions of a subset filter on an item `i` (graph/subsets.py ItemFilter; its classes as the
// uids of the items under them, `$under_items`), set
// into the item statements where they hold the FILTER placeholder (graph/cypher.py): one text for all.
(size($tracks) = 0 OR i.track IN $tracks)
  AND (size($under) = 0 OR i.uid IN $under_items)
  AND ($min_images IS NULL OR i.nImages >= $min_images)
  AND ($max_images IS NULL OR i.nImages <= $max_images)
  AND ($leak_free IS NULL OR i.leakFree = $leak_free)
  AND (size($modalities) = 0 OR any(m IN coalesce(i.modalities, []) WHERE m IN $modalities))
  // CASE, not OR: the planner evaluated these subqueries for every item even with no such filter
  AND CASE WHEN $aligned IS NULL THEN true ELSE EXISTS { (i)-[:ANSWER_IS]->(:Disease) } = $aligned END
  AND CASE WHEN size($prevalence) = 0 THEN true ELSE EXISTS {
        MATCH (i)-[:ANSWER_IS]->(d:Disease) WHERE d.prevalenceClass IN $prevalence } END
