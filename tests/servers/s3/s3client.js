#!/usr/bin/env node
// Minimal S3 client signed by @smithy/signature-v4 (the AWS SDK's signer): a known-good
// peer for checking the verifying proxy, and a way to stage objects from scripts.
//
//   s3client.js [--secret-key S] [--payload unsigned|sha256] METHOD URL [FILE]
//       sends one signed request; FILE is the body (PUT); the response body goes to
//       stdout, the status to stderr; exit 0 on 2xx, 1 otherwise
//   s3client.js [--secret-key S] --presign SECONDS METHOD URL
//       prints a presigned URL (query-string auth) and sends nothing
//
// Credentials and region: ETL_S3_ACCESS_KEY, ETL_S3_SECRET_KEY, ETL_S3_REGION (from
// env.sh). URL's path must already be URI-encoded (as S3 expects it on the wire).
// Needs NODE_PATH=$PG_ETL_SERVERS_DIR/node/node_modules (servers.sh installs it there).
'use strict';

const fs = require('fs');
const http = require('http');
const crypto = require('crypto');
const { SignatureV4 } = require('@smithy/signature-v4');
const { Sha256 } = require('@aws-crypto/sha256-js');

function usage() {
  console.error('usage: s3client.js [--secret-key S] [--payload unsigned|sha256] [--presign SECONDS] METHOD URL [FILE]');
  process.exit(2);
}

const args = process.argv.slice(2);
const opt = { secretKey: process.env.ETL_S3_SECRET_KEY || 'S3RVER', payload: 'unsigned', presign: null };
while (args.length && args[0].startsWith('--')) {
  const flag = args.shift();
  const value = args.shift();
  if (value === undefined) usage();
  if (flag === '--secret-key') opt.secretKey = value;
  else if (flag === '--payload') opt.payload = value;
  else if (flag === '--presign') opt.presign = Number(value);
  else usage();
}
const [method, rawUrl, file] = args;
if (!method || !rawUrl) usage();

// Split the query by hand: WHATWG URL would re-encode it; the signer wants decoded pairs.
const url = new URL(rawUrl);
const query = {};
for (const part of url.search.replace(/^\?/, '').split('&').filter(Boolean)) {
  const eq = part.indexOf('=');
  const k = decodeURIComponent(eq < 0 ? part : part.slice(0, eq));
  const v = eq < 0 ? '' : decodeURIComponent(part.slice(eq + 1));
  query[k] = k in query ? [].concat(query[k], v) : v;
}
const body = file ? fs.readFileSync(file) : Buffer.alloc(0);

const signer = new SignatureV4({
  service: 's3',
  region: process.env.ETL_S3_REGION || 'us-east-1',
  credentials: { accessKeyId: process.env.ETL_S3_ACCESS_KEY || 'S3RVER', secretAccessKey: opt.secretKey },
  sha256: Sha256,
  uriEscapePath: false,
});

const request = {
  method, protocol: url.protocol, hostname: url.hostname, port: Number(url.port) || 80,
  path: url.pathname, query, headers: { host: url.host },
};

function serialize(q) {
  return Object.entries(q).flatMap(([k, v]) => [].concat(v).map((x) => `${encodeURIComponent(k)}=${encodeURIComponent(x)}`)).join('&');
}

(async () => {
  if (opt.presign !== null) {
    // Like the AWS SDK's S3 presigner: the payload is unsigned, and the signer hoists
    // this header into the query as X-Amz-Content-Sha256.
    request.headers['x-amz-content-sha256'] = 'UNSIGNED-PAYLOAD';
    const signed = await signer.presign(request, { expiresIn: opt.presign });
    console.log(`${url.protocol}//${url.host}${url.pathname}?${serialize(signed.query)}`);
    return;
  }
  request.headers['x-amz-content-sha256'] =
    opt.payload === 'sha256' ? crypto.createHash('sha256').update(body).digest('hex') : 'UNSIGNED-PAYLOAD';
  if (body.length) request.headers['content-length'] = String(body.length);
  const signed = await signer.sign(request);
  const qs = serialize(query);
  const req = http.request({
    hostname: url.hostname, port: request.port, method,
    path: url.pathname + (qs ? `?${qs}` : ''), headers: signed.headers,
  }, (res) => {
    console.error(`HTTP ${res.statusCode}`);
    res.pipe(process.stdout);
    res.on('end', () => { process.exitCode = res.statusCode >= 200 && res.statusCode < 300 ? 0 : 1; });
  });
  req.on('error', (e) => { console.error(e.message); process.exitCode = 1; });
  req.end(body);
})();
