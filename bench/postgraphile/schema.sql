-- What PostGraphile sees: plain columns of current grids, accounts, events and event
-- categories, with the relations declared by smart comments (views have no foreign keys).
DROP SCHEMA IF EXISTS pgl CASCADE;
CREATE SCHEMA pgl;
CREATE VIEW pgl.grids AS SELECT id, code, name, worker_id FROM public.grid WHERE valid_to IS NULL;
CREATE VIEW pgl.accounts AS SELECT id, name FROM public.account;
CREATE VIEW pgl.event_categories AS SELECT code, name_zh FROM public.event_category;
CREATE VIEW pgl.events AS
  SELECT id, title, status, category_code, grid_id, assignee_id FROM public.event;
COMMENT ON VIEW pgl.accounts IS E'@primaryKey id';
COMMENT ON VIEW pgl.event_categories IS E'@primaryKey code';
COMMENT ON VIEW pgl.grids IS E'@primaryKey id\n@unique code\n@foreignKey (worker_id) references pgl.accounts (id)';
COMMENT ON VIEW pgl.events IS E'@primaryKey id\n@foreignKey (grid_id) references pgl.grids (id)\n@foreignKey (assignee_id) references pgl.accounts (id)\n@foreignKey (category_code) references pgl.event_categories (code)';
