/**
 * Removes secret values from text before it reaches a log line or an error message.
 * Short values (under 4 characters) are left alone: masking them would mangle ordinary words and
 * such secrets protect nothing anyway.
 *
 * @example createRedactor(['hunter22'])('login failed for hunter22') // => 'login failed for ***'
 */
export function createRedactor(secrets: readonly string[]): (text: string) => string {
  const values = [...new Set(secrets.filter((s) => s.length >= 4))].sort((a, b) => b.length - a.length);
  if (values.length === 0) return (text) => text;
  return (text) => {
    let out = text;
    for (const v of values) out = out.split(v).join('***');
    // Percent-encoded forms show up in URLs and driver messages.
    for (const v of values) {
      const enc = encodeURIComponent(v);
      if (enc !== v) out = out.split(enc).join('***');
    }
    return out;
  };
}
