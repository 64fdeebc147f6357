/** Levenshtein distance, small inputs only (manifest keys). */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/** Two edits catch the usual slips (promt, duraton, aspect-ratio) without suggesting unrelated short keys. */
function typoLimit(word: string): number {
  return Math.min(2, Math.floor(word.length / 3));
}

/** The closest candidate to a mistyped word, if it is close enough to be a typo. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  const limit = typoLimit(word);
  let best: { candidate: string; d: number } | undefined;
  for (const candidate of candidates) {
    const d = distance(word.toLowerCase(), candidate.toLowerCase());
    if (d <= limit && (best === undefined || d < best.d)) best = { candidate, d };
  }
  return best?.candidate;
}

/**
 * The candidates a word could be the cut-off beginning of (`seedance-2.0`
 * for `seedance-2.0-text-to-video`): long ids are often written without their
 * suffix, which is more edits than a typo. Only those whose beginning is
 * nearest, within a typo, shortest first (so `seedance-2.0` does not bring
 * `seedance-1.5-pro`); a word of fewer than six characters begins too many.
 */
export function startingLike(word: string, candidates: readonly string[]): string[] {
  if (word.length < 6) return [];
  const lower = word.toLowerCase();
  const near = candidates
    .filter((candidate) => candidate.length > word.length)
    .map((candidate) => ({ candidate, d: distance(lower, candidate.slice(0, word.length).toLowerCase()) }))
    .filter(({ d }) => d <= typoLimit(word));
  const best = Math.min(...near.map(({ d }) => d));
  return near
    .filter(({ d }) => d === best)
    .map(({ candidate }) => candidate)
    .sort((a, b) => a.length - b.length);
}
