/**
 * Webhook URLs: `https://…`, or `http://` on a loopback address for `npm start` (a receiver on the
 * developer's machine). A deployed stack delivers from AWS, where a loopback URL reaches nothing, so
 * the CDK app refuses those too (`deployed: true`).
 */

/** 127.0.0.0/8, ::1, localhost. */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/^\[|\]$/g, '');
  if (h === 'localhost' || h.endsWith('.localhost') || h === '::1') return true;
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(h);
  return m !== null && m[1] === '127' && m.slice(1).every((o) => Number(o) <= 255);
}

/** Why `url` cannot be a webhook URL, or undefined when it can. */
export function webhookUrlProblem(url: string, opts: { deployed?: boolean } = {}): string | undefined {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return 'must be an absolute URL like "https://app.example.com/scim-events"';
  }
  if (u.username || u.password) return 'must not carry credentials (requests are signed with the connector\'s webhook secret)';
  const loopback = isLoopbackHost(u.hostname);
  if (u.protocol === 'https:') {
    return opts.deployed && loopback ? 'is a loopback URL, which only works with npm start: a deployed stack delivers to a public https URL' : undefined;
  }
  if (u.protocol === 'http:' && loopback) {
    return opts.deployed ? 'is a loopback URL, which only works with npm start: a deployed stack delivers to a public https URL' : undefined;
  }
  return 'must be https (or a loopback http URL for local use)';
}
