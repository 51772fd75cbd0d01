import { createHash, createHmac } from 'node:crypto';
import type { RecordedRequest } from './fake-endpoint.ts';

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');
const hmac = (key: Buffer | string, s: string) => createHmac('sha256', key).update(s, 'utf8').digest();

/** RFC 3986 escaping, as SigV4 applies to each path segment. */
function uriEscape(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** The parts of a SigV4 Authorization header. */
export interface SigV4Auth {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
}

export function parseSigV4(header: string | undefined): SigV4Auth | null {
  const m =
    /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/.exec(
      header ?? '',
    );
  if (!m) return null;
  return {
    accessKeyId: m[1]!,
    date: m[2]!,
    region: m[3]!,
    service: m[4]!,
    signedHeaders: m[5]!.split(';'),
    signature: m[6]!,
  };
}

/**
 * Verify a request's AWS Signature Version 4 the way AWS does: rebuild the canonical request from
 * what arrived (method, path, query, signed headers, payload hash) and compare signatures.
 */
export function verifySigV4(req: RecordedRequest, secretAccessKey: string): boolean {
  const auth = parseSigV4(req.headers.authorization);
  if (!auth) return false;
  const [rawPath, rawQuery = ''] = req.url.split('?');
  // Non-S3 services sign the path with each segment escaped once more.
  const canonicalPath = (rawPath ?? '/').split('/').map(uriEscape).join('/');
  const canonicalQuery = rawQuery
    .split('&')
    .filter(Boolean)
    .map((p) => p.split('=').map((x) => uriEscape(decodeURIComponent(x))))
    .sort((a, b) => (a[0]! < b[0]! ? -1 : a[0]! > b[0]! ? 1 : 0))
    .map(([k, v = '']) => `${k}=${v}`)
    .join('&');
  const headerValue = (name: string) => {
    const v = req.headers[name];
    return (Array.isArray(v) ? v.join(',') : (v ?? '')).trim().replace(/\s+/g, ' ');
  };
  const canonicalHeaders = auth.signedHeaders.map((h) => `${h}:${headerValue(h)}\n`).join('');
  const payloadHash = headerValue('x-amz-content-sha256') || sha256(req.body);
  const canonicalRequest = [
    req.method,
    canonicalPath,
    canonicalQuery,
    canonicalHeaders,
    auth.signedHeaders.join(';'),
    payloadHash,
  ].join('\n');
  const scope = `${auth.date}/${auth.region}/${auth.service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', headerValue('x-amz-date'), scope, sha256(canonicalRequest)].join(
    '\n',
  );
  const kDate = hmac(`AWS4${secretAccessKey}`, auth.date);
  const kRegion = hmac(kDate, auth.region);
  const kService = hmac(kRegion, auth.service);
  const kSigning = hmac(kService, 'aws4_request');
  return createHmac('sha256', kSigning).update(stringToSign, 'utf8').digest('hex') === auth.signature;
}
