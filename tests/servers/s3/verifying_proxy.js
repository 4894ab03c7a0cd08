#!/usr/bin/env node
// SigV4-verifying HTTP proxy in front of s3rver, for pg_etl's integration tests.
//
// s3rver 3.7.1 parses AWS Signature Version 4 requests but never checks the signature
// (its authentication middleware says "Signature version 4 calculation is
// unimplemented"), so a client that signs wrongly would pass against it. This proxy
// recomputes every signature with @smithy/signature-v4 (the AWS SDK's own signer) from
// the request exactly as received and only forwards requests whose signature matches;
// anything else gets an S3-style 403 SignatureDoesNotMatch / AccessDenied.
//
// Supported: the Authorization header (AWS4-HMAC-SHA256) and presigned URLs
// (X-Amz-Algorithm=AWS4-HMAC-SHA256 in the query). For a hex x-amz-content-sha256 the
// body is checked too (XAmzContentSHA256Mismatch); aws-chunked streaming uploads are
// refused (s3rver cannot decode them). Requests are buffered in memory: test data only.
//
// usage: verifying_proxy.js --port P --upstream http://127.0.0.1:Q
//        [--region us-east-1] [--access-key S3RVER] [--secret-key S3RVER]
//        [--state-dir DIR]   (unused; lets servers.sh recognise its own process)
'use strict';

const http = require('http');
const crypto = require('crypto');
const { SignatureV4 } = require('@smithy/signature-v4');
const { Sha256 } = require('@aws-crypto/sha256-js');

function parseArgs(argv) {
  const opts = { bind: '127.0.0.1', region: 'us-east-1', accessKey: 'S3RVER', secretKey: 'S3RVER' };
  const names = { '--bind': 'bind', '--port': 'port', '--upstream': 'upstream', '--region': 'region',
    '--access-key': 'accessKey', '--secret-key': 'secretKey', '--state-dir': 'stateDir' };
  for (let i = 2; i < argv.length; i += 2) {
    const key = names[argv[i]];
    if (!key || argv[i + 1] === undefined) throw new Error(`bad argument ${argv[i]}`);
    opts[key] = argv[i + 1];
  }
  if (!opts.port || !opts.upstream) throw new Error('--port and --upstream are required');
  return opts;
}

const opts = parseArgs(process.argv);
const upstream = new URL(opts.upstream);
const signer = new SignatureV4({
  service: 's3',
  region: opts.region,
  credentials: { accessKeyId: opts.accessKey, secretAccessKey: opts.secretKey },
  sha256: Sha256,
  uriEscapePath: false, // S3 signs the path as sent (encoded once), not double-encoded
  applyChecksum: false, // never invent an x-amz-content-sha256 the client did not send
});

const log = (...a) => console.log(new Date().toISOString(), ...a);

class S3Error extends Error {
  constructor(status, code, message) { super(message); this.status = status; this.code = code; }
}

const xmlEscape = (s) => String(s).replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);

// "20240102T030405Z" -> Date
function parseAmzDate(s) {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(s || '');
  if (!m) throw new S3Error(403, 'AccessDenied', `invalid X-Amz-Date '${s}'`);
  return new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]));
}

// The raw query, split and decoded once (the signer re-encodes it canonically).
// '+' stays a plus: SigV4 clients send spaces as %20.
function parseQuery(raw) {
  const query = {};
  if (!raw) return query;
  for (const part of raw.split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    const key = decodeURIComponent(eq < 0 ? part : part.slice(0, eq));
    const value = eq < 0 ? '' : decodeURIComponent(part.slice(eq + 1));
    if (key in query) query[key] = [].concat(query[key], value);
    else query[key] = value;
  }
  return query;
}

// Credential=AK/yyyymmdd/region/s3/aws4_request must name our key and scope.
function checkCredential(credential, amzDate) {
  const [ak, day, region, service, term] = (credential || '').split('/');
  if (ak !== opts.accessKey) throw new S3Error(403, 'InvalidAccessKeyId', `unknown access key '${ak}'`);
  if (day !== amzDate.slice(0, 8) || region !== opts.region || service !== 's3' || term !== 'aws4_request') {
    throw new S3Error(403, 'SignatureDoesNotMatch', `credential scope '${credential}' is not ${amzDate.slice(0, 8)}/${opts.region}/s3/aws4_request`);
  }
}

// Only the headers the client says it signed, with their received values (repeated
// headers joined by ',' as SigV4 wants).
function signedHeaderValues(req, names) {
  const headers = {};
  for (const name of names) {
    const values = [];
    for (let i = 0; i < req.rawHeaders.length; i += 2) {
      if (req.rawHeaders[i].toLowerCase() === name) values.push(req.rawHeaders[i + 1]);
    }
    if (values.length === 0) throw new S3Error(403, 'SignatureDoesNotMatch', `signed header '${name}' is missing`);
    headers[name] = values.join(',');
  }
  return headers;
}

async function verify(req, body) {
  const [rawPath, rawQuery = ''] = req.url.split(/\?(.*)/s);
  const query = parseQuery(rawQuery);
  const auth = req.headers.authorization;

  if (auth !== undefined && !('X-Amz-Algorithm' in query)) {
    const m = /^AWS4-HMAC-SHA256\s+Credential=([^,\s]+),\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-f]{64})\s*$/.exec(auth);
    if (!m) throw new S3Error(403, 'AccessDenied', 'Authorization is not a well-formed AWS4-HMAC-SHA256 header');
    const [, credential, signedList, provided] = m;
    const amzDate = req.headers['x-amz-date'];
    checkCredential(credential, amzDate || '');
    const names = signedList.split(';');
    if (!names.includes('host') || !names.includes('x-amz-date')) {
      throw new S3Error(403, 'SignatureDoesNotMatch', 'host and x-amz-date must be signed');
    }
    const payloadHash = req.headers['x-amz-content-sha256'];
    if (!payloadHash) throw new S3Error(400, 'InvalidRequest', 'Missing required header for this request: x-amz-content-sha256');
    if (/^STREAMING-/.test(payloadHash)) throw new S3Error(501, 'NotImplemented', `${payloadHash} uploads are not supported by this test server`);
    if (/^[0-9a-f]{64}$/.test(payloadHash)) {
      const actual = crypto.createHash('sha256').update(body).digest('hex');
      if (actual !== payloadHash) throw new S3Error(400, 'XAmzContentSHA256Mismatch', `body hashes to ${actual}, x-amz-content-sha256 says ${payloadHash}`);
    } else if (payloadHash !== 'UNSIGNED-PAYLOAD') {
      throw new S3Error(400, 'InvalidArgument', `bad x-amz-content-sha256 '${payloadHash}'`);
    }
    const request = {
      method: req.method, protocol: 'http:', hostname: '127.0.0.1',
      path: rawPath, query, headers: signedHeaderValues(req, names),
    };
    // signRequest re-adds x-amz-date from signingDate and takes the payload hash from
    // the x-amz-content-sha256 header; signableHeaders lets the client sign headers the
    // SDK would skip by default (e.g. user-agent).
    const signed = await signer.sign(request, { signingDate: parseAmzDate(amzDate), signableHeaders: new Set(names) });
    const expected = /Signature=([0-9a-f]{64})/.exec(signed.headers.authorization)[1];
    const expectedList = /SignedHeaders=([^,\s]+)/.exec(signed.headers.authorization)[1];
    if (expectedList !== signedList || !timingSafeEqualHex(expected, provided)) {
      throw new S3Error(403, 'SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided. Check your key and signing method.');
    }
    return 'header';
  }

  if ('X-Amz-Algorithm' in query) {
    if (auth !== undefined) throw new S3Error(400, 'InvalidArgument', 'Only one auth mechanism allowed');
    if (query['X-Amz-Algorithm'] !== 'AWS4-HMAC-SHA256') throw new S3Error(400, 'AuthorizationQueryParametersError', 'X-Amz-Algorithm only supports AWS4-HMAC-SHA256');
    for (const p of ['X-Amz-Credential', 'X-Amz-Date', 'X-Amz-Expires', 'X-Amz-SignedHeaders', 'X-Amz-Signature']) {
      if (typeof query[p] !== 'string') throw new S3Error(400, 'AuthorizationQueryParametersError', `missing ${p}`);
    }
    const amzDate = query['X-Amz-Date'];
    checkCredential(query['X-Amz-Credential'], amzDate);
    const signingDate = parseAmzDate(amzDate);
    const expiresIn = Number(query['X-Amz-Expires']);
    if (!Number.isInteger(expiresIn) || expiresIn < 0 || expiresIn > 604800) throw new S3Error(400, 'AuthorizationQueryParametersError', 'bad X-Amz-Expires');
    if (Date.now() > signingDate.getTime() + expiresIn * 1000) throw new S3Error(403, 'AccessDenied', 'Request has expired');
    const names = query['X-Amz-SignedHeaders'].split(';');
    // presign() adds the auth parameters itself; give it the rest of the query.
    const rest = { ...query };
    for (const p of ['X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Date', 'X-Amz-Expires', 'X-Amz-SignedHeaders', 'X-Amz-Signature']) delete rest[p];
    const headers = signedHeaderValues(req, names);
    // The payload of a presigned S3 request is UNSIGNED-PAYLOAD, or what the URL's own
    // X-Amz-Content-Sha256 says (the AWS SDK's S3 presigner hoists it into the query).
    const hoisted = Object.keys(rest).find((k) => k.toLowerCase() === 'x-amz-content-sha256');
    if (!names.includes('x-amz-content-sha256')) headers['x-amz-content-sha256'] = hoisted ? String(rest[hoisted]) : 'UNSIGNED-PAYLOAD';
    const signed = await signer.presign(
      { method: req.method, protocol: 'http:', hostname: '127.0.0.1', path: rawPath, query: rest, headers },
      {
        signingDate, expiresIn,
        signableHeaders: new Set(names),
        unsignableHeaders: names.includes('x-amz-content-sha256') ? undefined : new Set(['x-amz-content-sha256']),
        unhoistableHeaders: new Set([...names, 'x-amz-content-sha256']), // keep them as headers
      });
    if (signed.query['X-Amz-SignedHeaders'] !== query['X-Amz-SignedHeaders'] ||
        !timingSafeEqualHex(signed.query['X-Amz-Signature'], query['X-Amz-Signature'])) {
      throw new S3Error(403, 'SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided. Check your key and signing method.');
    }
    return 'presigned';
  }

  throw new S3Error(403, 'AccessDenied', 'Anonymous access is not allowed: sign the request (SigV4)');
}

function timingSafeEqualHex(a, b) {
  const x = Buffer.from(String(a)), y = Buffer.from(String(b));
  return x.length === y.length && crypto.timingSafeEqual(x, y);
}

function sendError(req, res, err) {
  const body = '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<Error><Code>${xmlEscape(err.code)}</Code><Message>${xmlEscape(err.message)}</Message>` +
    `<Resource>${xmlEscape(req.url.split('?')[0])}</Resource><RequestId>pg-etl-proxy</RequestId></Error>`;
  res.writeHead(err.status, { 'Content-Type': 'application/xml', 'Content-Length': Buffer.byteLength(body) });
  res.end(req.method === 'HEAD' ? undefined : body);
}

function forward(req, res, body) {
  const headers = { ...req.headers, 'content-length': String(body.length) };
  delete headers['transfer-encoding']; // the body is buffered; send it with a length
  const up = http.request({
    hostname: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers,
  }, (upRes) => {
    res.writeHead(upRes.statusCode, upRes.rawHeaders);
    upRes.pipe(res);
    upRes.on('end', () => log(req.method, req.url, '->', upRes.statusCode));
  });
  up.on('error', (e) => {
    log(req.method, req.url, 'upstream error:', e.message);
    if (!res.headersSent) sendError(req, res, new S3Error(502, 'InternalError', `upstream: ${e.message}`));
    else res.destroy();
  });
  up.end(body);
}

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', async () => {
    const body = Buffer.concat(chunks);
    const hasAuth = req.headers.authorization !== undefined;
    try {
      const how = await verify(req, body);
      log(req.method, req.url, `signature ok (${how})`);
      forward(req, res, body);
    } catch (err) {
      if (!(err instanceof S3Error)) err = new S3Error(500, 'InternalError', err.message);
      log(req.method, req.url, `REJECTED ${err.status} ${err.code}: ${err.message} (authorization header ${hasAuth ? 'present' : 'absent'})`);
      sendError(req, res, err);
    }
  });
});
server.listen(Number(opts.port), opts.bind, () => log(`verifying proxy on http://${opts.bind}:${opts.port} -> ${opts.upstream}`));
