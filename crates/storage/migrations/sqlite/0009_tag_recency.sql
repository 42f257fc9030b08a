-- Related stories take their tag candidates from the newest articles of each tag, read
-- from this index alone (no article row is visited to choose them). It also serves the
-- tag listings, so it replaces the index on tag_id only.
CREATE INDEX article_tags_recent ON article_tags (tag_id, article_id);
DROP INDEX article_tags_tag;
