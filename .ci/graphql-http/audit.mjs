// Runs graphql-http's audit against a server; exits non-zero on any error or warning.
import { auditServer } from 'graphql-http';

const url = process.argv[2];
if (!url) {
  console.error('usage: node audit.mjs http://host:port/graphql');
  process.exit(2);
}
const results = await auditServer({ url });
let bad = 0;
for (const r of results) {
  if (r.status !== 'ok') {
    bad++;
    console.log(`${r.status.toUpperCase()} ${r.name} — ${r.reason}`);
  }
}
console.log(`graphql-http audit: ${results.length} checks, ${bad} errors or warnings`);
process.exit(bad ? 1 : 0);
