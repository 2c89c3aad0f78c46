// The runtime checks every panel's protocol is built from, applied on both sides of the webview boundary before a
// message is acted on. Shapes are exact: a field that is not declared makes the value invalid, so nothing
// unexpected rides along on a message. Checkers are typed, so a protocol's guard cannot forget a declared field.
export type Checker<T> = (v: unknown) => v is T;

export const isString: Checker<string> = (v): v is string => typeof v === 'string';
export const isBoolean: Checker<boolean> = (v): v is boolean => typeof v === 'boolean';
export const isStringOrNull: Checker<string | null> = (v): v is string | null => v === null || typeof v === 'string';
export const isFiniteNumber: Checker<number> = (v): v is number => typeof v === 'number' && Number.isFinite(v);
/** A finite number or null (non-finite numbers do not survive JSON and are sent as null). */
export const isNumberOrNull: Checker<number | null> = (v): v is number | null => v === null || isFiniteNumber(v);
/**
 * A number as it arrives through JSON: NaN and infinities (an R² without test accuracy, say) arrive as null, so
 * null passes too, and the reader treats anything not finite as unknown.
 */
export const isJsonNumber: Checker<number> = (v): v is number => v === null || typeof v === 'number';
export const isInteger: Checker<number> = (v): v is number => Number.isSafeInteger(v);
/** A non-negative safe integer: an index into a dataset, run or checkpoint list. */
export const isIndex: Checker<number> = (v): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
export const isCount = isIndex;
export const isArrayBuffer: Checker<ArrayBuffer> = (v): v is ArrayBuffer => Object.prototype.toString.call(v) === '[object ArrayBuffer]';

export function literal<const T extends string | boolean>(value: T): Checker<T> {
  return (v): v is T => v === value;
}

export function oneOf<const T extends readonly string[]>(values: T): Checker<T[number]> {
  return (v): v is T[number] => typeof v === 'string' && (values as readonly string[]).includes(v);
}

export function nullable<T>(check: Checker<T>): Checker<T | null> {
  return (v): v is T | null => v === null || check(v);
}

/** For an optional field: absent (undefined) or passing `check`. */
export function optional<T>(check: Checker<T>): Checker<T | undefined> {
  return (v): v is T | undefined => v === undefined || check(v);
}

export function arrayOf<T>(check: Checker<T>): Checker<T[]> {
  return (v): v is T[] => Array.isArray(v) && v.every((x) => check(x));
}

/** A plain object used as a map: any keys, every value passing `check`. */
export function recordOf<T>(check: Checker<T>): Checker<Record<string, T>> {
  return (v): v is Record<string, T> => isPlainObject(v) && Object.values(v).every((x) => check(x));
}

export function shape<T>(fields: { [K in keyof T]-?: Checker<T[K]> }): Checker<T> {
  const entries = Object.entries(fields) as [string, Checker<unknown>][];
  const allowed = new Set(entries.map(([k]) => k));
  return (v): v is T => {
    if (!isPlainObject(v)) return false;
    for (const key of Object.keys(v)) if (!allowed.has(key)) return false;
    return entries.every(([k, check]) => check(v[k]));
  };
}

/** One exact check per message type of a protocol's union `M`; the compiler insists on one for every type. */
export type MessageChecks<M extends { type: string }> = { [K in M['type']]: Checker<Extract<M, { type: K }>> };

/** A guard for a protocol's messages: picks the check by `type`, so an unknown type fails. */
export function messageGuard<M extends { type: string }>(checks: MessageChecks<M>): Checker<M> {
  const byType = checks as Record<string, Checker<unknown>>;
  return (m): m is M => {
    if (!isPlainObject(m) || typeof m.type !== 'string' || !Object.hasOwn(byType, m.type)) return false;
    return byType[m.type](m);
  };
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
