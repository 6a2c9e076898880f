// One page of the items a subset filter selects, in natural id order (track, then index), how
// many there are in all, and the page's images (SHOWS) and cases (ABOUT): one statement per page. The filter mirrors graph/subsets.py select_items;
// `under` reaches a class through the SUBCLASS_OF closure (the class itself included): walked once,
// down from the classes asked for to the items they answer, not up from every item. Images come
// with the properties a page shows only (graph/store.py PAGE_IMAGE_PROPS), not their hashes and grids.
CALL () {
  MATCH (i:Item) WHERE size($under) = 0 RETURN i
  UNION
  MATCH (c:Disease) WHERE c.orphaCode IN $under
  MATCH (i:Item)-[:ANSWER_IS]->(:Disease)-[:SUBCLASS_OF*0..]->(c)
  RETURN i
}
WITH i
WHERE (size($tracks) = 0 OR i.track IN $tracks)
  AND ($min_images IS NULL OR i.nImages >= $min_images)
  AND ($max_images IS NULL OR i.nImages <= $max_images)
  AND ($leak_free IS NULL OR i.leakFree = $leak_free)
  AND (size($modalities) = 0 OR any(m IN coalesce(i.modalities, []) WHERE m IN $modalities))
  // CASE, not OR: the planner evaluated these subqueries for every item even with no such filter
  AND CASE WHEN $aligned IS NULL THEN true ELSE EXISTS { (i)-[:ANSWER_IS]->(:Disease) } = $aligned END
  AND CASE WHEN size($prevalence) = 0 THEN true ELSE EXISTS {
        MATCH (i)-[:ANSWER_IS]->(d:Disease) WHERE d.prevalenceClass IN $prevalence } END
WITH i ORDER BY i.track, i.index
WITH collect(i) AS chosen
RETURN size(chosen) AS total,
       [n IN chosen[$offset..$offset + $limit] | {
          props: properties(n),
          SHOWS: [(n)-[r:SHOWS]->(m:Image) | {rel: properties(r),
                  node: m {.sha256, .width, .height, .format, .mode, .byteSize, .modality, .blob}}],
          ABOUT: [(n)-[r:ABOUT]->(c:Case) | {rel: properties(r), node: properties(c)}]
       }] AS page
