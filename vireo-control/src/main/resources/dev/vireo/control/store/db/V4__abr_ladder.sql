-- ABR ladder per streaming domain (issue 18): template ids, highest first, comma-separated; NULL: none.
ALTER TABLE domains ADD COLUMN abr_ladder VARCHAR(300);
