// Diseases under a class ($under, itself included; any when null) and of a headline prevalence
// class, whose name or a synonym contains $needle (already lowered; no search when null): exact
// names first, then names starting with it as a word, then holding it as a word, then starting with
// it inside a word, then the rest; shorter names first, then by ORPHAcode.
// Mirrors graph/questions.py disease_search.
CALL () {
  MATCH (d:Disease) WHERE $under IS NULL RETURN d
  UNION
  MATCH (:Disease {orphaCode: $under})<-[:SUBCLASS_OF*0..]-(d:Disease) RETURN d
}
WITH d
WHERE $prevalence IS NULL OR d.prevalenceClass = $prevalence
WITH d, [x IN [coalesce(d.name, '')] + coalesce(d.synonyms, [])
         WHERE $needle IS NOT NULL AND toLower(x) CONTAINS $needle
         | CASE WHEN toLower(x) = $needle THEN 0
                WHEN (toLower(x) + ' ') STARTS WITH ($needle + ' ') THEN 1
                WHEN (' ' + toLower(x) + ' ') CONTAINS (' ' + $needle + ' ') THEN 2
                WHEN toLower(x) STARTS WITH $needle THEN 3 ELSE 4 END] AS ranks
WHERE $needle IS NULL OR size(ranks) > 0
RETURN properties(d) AS props
ORDER BY CASE WHEN $needle IS NULL THEN 0 ELSE reduce(best = 4, r IN ranks | CASE WHEN r < best THEN r ELSE best END) END,
         CASE WHEN $needle IS NULL THEN 0 ELSE size(coalesce(d.name, '')) END,
         d.orphaCode
LIMIT $limit
