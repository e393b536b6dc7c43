// How the client's messages print a reason code. The words come with the 5.0 codec, which a client
// loads before its first connection at 5.0 (property-field.ts), so that a web app does not load
// the names of every reason code at start. Before that, and in 3.1.1, whose one reason code a
// client prints is SUBACK's failure 0x80, the hex alone, with 0x80's words.
let describe: ((code: number) => string) | undefined;

/** Installs the words of reason codes (with the property codec). */
export function useReasonCodeWords(words: (code: number) => string): void {
  describe = words;
}

/** "0x97 Quota exceeded" (once the 5.0 codec is loaded), "0x80 Unspecified error", or "0x06". */
export function reasonCodeText(code: number): string {
  if (describe !== undefined) return describe(code);
  return code === 0x80 ? '0x80 Unspecified error' : `0x${code.toString(16).padStart(2, '0')}`;
}
