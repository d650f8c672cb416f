// A bare PostGraphile 5 server for the benchmark: node server.mjs (DATABASE_URL, PORT).
import { createServer } from "node:http";
import { postgraphile } from "postgraphile";
import { grafserv } from "postgraphile/grafserv/node";
import preset from "./graphile.config.mjs";

const serv = postgraphile(preset).createServ(grafserv);
const server = createServer();
serv.addTo(server).catch((error) => {
  console.error(error);
  process.exit(1);
});
server.listen(Number(process.env.PORT || 5678), "127.0.0.1");
