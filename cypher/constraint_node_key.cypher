// One uniqueness constraint per label on its key property; __LABEL__ and __KEY__ come from graph/model.py.
CREATE CONSTRAINT __LABEL___key IF NOT EXISTS FOR (n:__LABEL__) REQUIRE n.__KEY__ IS UNIQUE
