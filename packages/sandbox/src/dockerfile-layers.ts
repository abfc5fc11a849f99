/**
 * The prefixes of a Dockerfile that end at a RUN instruction, shortest first, without the last RUN's (it is the
 * image's own top, or nearly) — each a Dockerfile itself, ending with a newline. Building them first, as images of
 * their own, lets builds of Dockerfiles with a common start share its layers: Docker's classic builder does not
 * wait for a layer another build is making, so two concurrent builds of one prefix make it twice. Pure.
 */
export function dockerfileLayerPrefixes(dockerfile: string): string[] {
  const lines = dockerfile.split('\n');
  const ends: number[] = [];
  let instruction = '';
  lines.forEach((line, i) => {
    // A line ending in a backslash continues its instruction on the next line.
    if (!instruction && /^\s*(#|$)/.test(line)) return;
    instruction ||= line.trimStart();
    if (line.trimEnd().endsWith('\\')) return;
    if (/^RUN\s/i.test(instruction)) ends.push(i);
    instruction = '';
  });
  return ends.slice(0, -1).map((end) => `${lines.slice(0, end + 1).join('\n')}\n`);
}
