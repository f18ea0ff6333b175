/** Cold-import reference: an empty module (what Node's ESM loader costs by itself). */
export const empty = true;
