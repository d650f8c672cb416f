"""The lean request path (docs/performance.md): a plain GraphQL request over HTTP — a JSON
POST or a GET, one valid query or mutation, with or without an automatic persisted query
hash — is answered without Strawberry's view and extension machinery. Each document text
is parsed, validated (with the same rules) and measured once; the operation runs on
graphql-core's executor with the same schema, context and execution context; errors,
the access audit and the HTTP answer go through the same functions as the full path.

Anything else (multipart uploads, batches, subscriptions over HTTP, GraphiQL, an invalid
document, a request over a limit) goes to Strawberry's view, which answers it as before:
the lean path only skips work, never changes an answer."""
