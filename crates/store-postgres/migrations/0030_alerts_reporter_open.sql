-- Reply detection asks for a number's newest open alert in the reply window, newest first
-- with the id breaking ties. The index held (reporter_digest, received_at) over every alert,
-- so the query read all its number's alerts in the window to check them open and sort them
-- for one. Now the index holds only open alerts in the query's order: the answer is one
-- index entry.
DROP INDEX alerts_reporter;
CREATE INDEX alerts_reporter ON alerts (reporter_digest, received_at, id)
    WHERE reporter_digest IS NOT NULL AND open;
