// What a page gives of each item `i` (set into cypher/item_page.cypher and cypher/item_page_of.cypher).
{
          props: properties(i),
          SHOWS: [(i)-[r:SHOWS]->(x:Image) | {rel: properties(r),
                  node: x {.sha256, .width, .height, .format, .mode, .byteSize, .modality, .blob}}],
          ABOUT: [(i)-[r:ABOUT]->(c:Case) | {rel: properties(r), node: properties(c)}]
       }
