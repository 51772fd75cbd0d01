/**
 * Record Content-Security-Policy violations where tests (and people, in the console) can see
 * them: the app must run under `script-src 'self'` and `style-src 'self'` without any.
 */
export function watchCsp(): void {
  const seen: string[] = [];
  (window as unknown as { __cspViolations: string[] }).__cspViolations = seen;
  document.addEventListener('securitypolicyviolation', (e) => {
    seen.push(`${e.violatedDirective} ${e.blockedURI}`);
    console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || 'inline'}`);
  });
}
