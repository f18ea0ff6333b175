/**
 * Reusable value checks for profiles' `dropInvalid` rules. Pure predicates over normalised values
 * (strings for string attributes); a profile combines them with a path.
 */

/** The North American toll-free area codes in service (800 and 888 are the ones askSpoke names). */
export const TOLL_FREE_AREA_CODES: readonly string[] = ['800', '833', '844', '855', '866', '877', '888'];

/**
 * The ten NANP digits of a US phone number written in a usual way — `(415) 555-0123`,
 * `415.555.0123`, `+1 415 555 0123`, `1-415-555-0123` — or undefined. Extensions, letters and
 * other country codes are not numbers this accepts.
 */
export function usPhoneDigits(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const s = value.trim();
  if (!/^\+?[\d\s().-]+$/.test(s)) return undefined;
  let digits = s.replace(/\D/g, '');
  if (s.startsWith('+') && !digits.startsWith('1')) return undefined;
  if (digits.length === 11 && digits.startsWith('1')) digits = digits.slice(1);
  if (digits.length !== 10) return undefined;
  // NANP: area code and exchange start with 2-9 and are not N11 service codes (211, 411, 911…).
  const area = digits.slice(0, 3);
  const exchange = digits.slice(3, 6);
  const nxx = (x: string) => /^[2-9]\d\d$/.test(x) && x.slice(1) !== '11';
  if (!nxx(area) || !nxx(exchange)) return undefined;
  return digits;
}

/** A valid 10-digit US number; toll-free area codes refused unless `allowTollFree`. */
export function usPhoneNumber(opts: { readonly allowTollFree?: boolean } = {}): (value: unknown) => boolean {
  return (value) => {
    const digits = usPhoneDigits(value);
    if (digits === undefined) return false;
    return opts.allowTollFree === true || !TOLL_FREE_AREA_CODES.includes(digits.slice(0, 3));
  };
}
