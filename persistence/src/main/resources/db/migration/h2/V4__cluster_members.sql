-- The nodes of this namespace's cluster that are up, as each reports itself every few seconds:
-- a node that starts while others are up joins them, instead of forming a cluster of its own
-- (a restarted seed node would otherwise do so). A node removes its row when it leaves.
CREATE TABLE cluster_members (
  address   VARCHAR(200) NOT NULL PRIMARY KEY,
  seen_at   BIGINT NOT NULL
);
