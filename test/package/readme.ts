/** The first fenced code block in `lang` under the README's `## <heading>`. */
export function readmeBlock(readme: string, heading: string, lang: string): string {
  const section = readme.split(/^## /m).find((s) => s.startsWith(`${heading}\n`));
  const block = section && new RegExp('^```' + lang + '\\n([\\s\\S]*?)^```', 'm').exec(section);
  if (!block) throw new Error(`The README has no ${lang} block under "## ${heading}".`);
  return block[1]!;
}
