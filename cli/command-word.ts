// The top-level command word of a berth command line (argv without node and
// the script): the first word after the root options -H/--host VALUE,
// --host=VALUE and -D/--debug. Undefined when there is none, when another
// root option (--help, --version, an unknown one) comes first, or when the
// word is not one `known` accepts. Used by the grammar (cli/program.ts) and,
// to pick a per-command bundle, by the launcher (cli/launcher.ts).

export function commandWordOf(args: readonly string[], known: (word: string) => boolean): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '-H' || a === '--host') { i++; continue; }
    if (a === '-D' || a === '--debug' || a.startsWith('--host=')) continue;
    if (a.startsWith('-')) return undefined;
    return known(a) ? a : undefined;
  }
  return undefined;
}
