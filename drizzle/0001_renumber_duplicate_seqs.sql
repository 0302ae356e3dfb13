-- Databases written by the Python system can hold several events with the same
-- (conversation_id, seq): it read MAX(seq) outside its write transaction. Before seq becomes
-- unique, renumber only the conversations that have duplicates, 1..n in the order of the old
-- seq and then of insertion (rowid). A fresh database has no rows and nothing happens.
-- The ranks go through a temporary table: an UPDATE ranked by a window function over the same
-- table would collide with itself halfway.
CREATE TEMP TABLE `chatlog_seq_renumber` AS
SELECT e.rowid AS row_id,
       ROW_NUMBER() OVER (PARTITION BY e.conversation_id ORDER BY e.seq, e.rowid) AS new_seq
FROM `chat_events` e
WHERE e.conversation_id IN (
  SELECT conversation_id FROM `chat_events` GROUP BY conversation_id, seq HAVING COUNT(*) > 1
);
--> statement-breakpoint
UPDATE `chat_events`
SET seq = (SELECT r.new_seq FROM temp.`chatlog_seq_renumber` r WHERE r.row_id = `chat_events`.rowid)
WHERE rowid IN (SELECT row_id FROM temp.`chatlog_seq_renumber`);
--> statement-breakpoint
DROP TABLE temp.`chatlog_seq_renumber`;
