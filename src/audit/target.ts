/**
 * Where audit lines go, as the configuration's `audit_log` names it.
 */

/**
 * An audit destination: the system log (AUTHPRIV), standard error, or a file appended to.
 * `path` is absolute.
 */
export type AuditTarget = { readonly kind: 'syslog' } | { readonly kind: 'stderr' } | { readonly kind: 'file'; readonly path: string };
