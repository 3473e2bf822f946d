/** A database URL without its password, for logs, messages and /healthz (the password never leaves the process). */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    // A password in the query string (?password=…) counts too.
    for (const key of [...u.searchParams.keys()]) if (/pass|secret|token/i.test(key)) u.searchParams.set(key, '***');
    return u.toString();
  } catch {
    return 'postgres://…';
  }
}

/** Replaces every occurrence of the URL and of its password in a message (driver errors may quote either). */
export function redactSecrets(message: string, url: string): string {
  let out = message.split(url).join(redactUrl(url));
  try {
    const pw = decodeURIComponent(new URL(url).password);
    if (pw.length >= 3) out = out.split(pw).join('***');
  } catch {
    // not a URL: nothing more to hide
  }
  return out;
}
