// Items in page order (track, then index): a page without a class filter walks this index in order and
// stops after the page, instead of reading and sorting every item.
CREATE RANGE INDEX item_order IF NOT EXISTS FOR (i:Item) ON (i.track, i.index)
