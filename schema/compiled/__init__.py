"""Compiled reads (docs/architecture.md, "Two read paths"): a root list field whose
whole selection maps to columns and relations declared here is answered by one SQL
statement that builds the JSON subtree, and the executor skips per-field completion for
it. Anything not declared (a plugin's field, a field with its own logic) falls back to
the resolvers, so the compiled path never changes an answer — tests compare both on the
same queries."""
