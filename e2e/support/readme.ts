import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const repository = fileURLToPath(new URL('../../', import.meta.url));

/** The first ```lang block under the README heading `heading`, as printed there. */
export function readmeBlock(heading: string, lang: string): string {
  const readme = readFileSync(`${repository}README.md`, 'utf8');
  const at = readme.indexOf(`\n${heading}\n`);
  if (at < 0) throw new Error(`README.md has no heading "${heading}"`);
  const block = readme.slice(at).match(new RegExp('```' + lang + '\\n([\\s\\S]*?)```'));
  if (block === null) throw new Error(`no \`\`\`${lang} block under "${heading}"`);
  return block[1]!;
}

/** Every fenced block under the README heading `heading`, up to the next heading of any level. */
export function readmeBlocks(heading: string): { lang: string; code: string }[] {
  const readme = readFileSync(`${repository}README.md`, 'utf8');
  const at = readme.indexOf(`\n${heading}\n`);
  if (at < 0) throw new Error(`README.md has no heading "${heading}"`);
  const rest = readme.slice(at + heading.length + 2);
  const section = rest.slice(0, rest.search(/^#+ /m) >>> 0);
  return [...section.matchAll(/```(\w+)\n([\s\S]*?)```/g)].map(([, lang, code]) => ({ lang: lang!, code: code! }));
}
