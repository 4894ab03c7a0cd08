#!/usr/bin/env node
// A minimal HTTP/2 (TLS, ALPN h2 only) JSON API for pg_etl's tests: the same offset
// pagination as api_server.py's /api/offset/tickets, and counts of the sessions
// (connections) and streams (requests) it served, to show that pages share one
// multiplexed connection.
//   node h2_api_server.js --port P --cert server.pem --key server.key
//   GET /tickets?offset=O&limit=L&total=N -> {"tickets": [{"id": ...}, ...], "total": N}
//   GET /stats -> {"sessions": n, "streams": n, "http_versions": ["2.0"]}
'use strict';
const http2 = require('http2');
const fs = require('fs');

const args = {};
for (let i = 2; i < process.argv.length; i += 2) args[process.argv[i].replace(/^--/, '')] = process.argv[i + 1];
const stats = { sessions: 0, streams: 0, http_versions: [] };
const server = http2.createSecureServer({
  cert: fs.readFileSync(args.cert), key: fs.readFileSync(args.key), allowHTTP1: false,
});
server.on('session', () => { stats.sessions++; });
server.on('request', (req, res) => {
  const url = new URL(req.url, 'https://localhost');
  const send = (code, obj) => {
    res.writeHead(code, { 'content-type': 'application/json' });
    res.end(JSON.stringify(obj));
  };
  if (url.pathname === '/stats') return send(200, stats);
  if (url.pathname !== '/tickets') return send(404, { error: 'not_found' });
  stats.streams++;
  if (!stats.http_versions.includes(req.httpVersion)) stats.http_versions.push(req.httpVersion);
  const total = Number(url.searchParams.get('total') || 1000);
  const offset = Number(url.searchParams.get('offset') || 0);
  const limit = Number(url.searchParams.get('limit') || 100);
  const tickets = [];
  for (let id = offset + 1; id <= Math.min(total, offset + limit); id++) tickets.push({ id, subject: `Ticket ${id}` });
  send(200, { tickets, total });
});
server.listen(Number(args.port), '127.0.0.1', () => process.stderr.write(`h2 API on 127.0.0.1:${args.port}\n`));
