-- An article whose extraction failed or went over its budget is still marked extracted at this
-- version, with the reason, so later runs skip it until the extractor changes: one poison
-- article must not sink every run that meets it.
ALTER TABLE extractions ADD COLUMN error VARCHAR;
