// Docker's boolean flags also take a value, written `--flag=VALUE` (or
// `-f=VALUE`), never as a separate word: `--rm=false`, `-d=true`,
// `--sig-proxy=false`. commander knows boolean options only as bare words,
// so the command line is rewritten before it parses: a true value leaves the
// bare flag, a false one drops it (or becomes `--no-FLAG` when the command
// defines that negation, for flags that are on by default). Words after a
// pass-through command's first argument (the container's own command line)
// and after `--` are left alone, as are the values of options that take one.
import type { Command, Option } from 'commander';

// the spellings Go's strconv.ParseBool accepts, which Docker's flags use
const TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const FALSE = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);

function optionNamed(cmd: Command, name: string): Option | undefined {
  return cmd.options.find((o) => o.long === name || o.short === name);
}

function isBoolean(o: Option): boolean {
  return !o.required && !o.optional; // a negation such as --no-trunc is one too
}

function subcommandNamed(cmd: Command, word: string): Command | undefined {
  return cmd.commands.find((c) => c.name() === word || c.aliases().includes(word));
}

/** Whether commander stops reading options at the command's first argument (run, create, exec). */
function passesThrough(cmd: Command): boolean {
  return (cmd as unknown as { _passThroughOptions?: boolean })._passThroughOptions === true;
}

/**
 * `args` (the command line without node and the script) with every
 * `--flag=VALUE` of a boolean flag turned into what commander reads. An
 * invalid VALUE is a usage error of the command it belongs to.
 */
export function withBoolFlagValues(program: Command, args: readonly string[]): string[] {
  const out: string[] = [];
  let cmd = program;
  let sawArgument = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') return out.concat(args.slice(i));
    if (a.length > 1 && a.startsWith('-')) {
      const eq = a.indexOf('=');
      const opt = optionNamed(cmd, eq > 0 ? a.slice(0, eq) : a);
      if (opt && eq > 0 && isBoolean(opt)) {
        const flag = a.slice(0, eq);
        const value = a.slice(eq + 1);
        if (TRUE.has(value)) out.push(flag);
        else if (FALSE.has(value)) {
          const negation = opt.long && !opt.negate ? optionNamed(cmd, opt.long.replace(/^--/, '--no-')) : undefined;
          if (negation) out.push(negation.long!);
        } else cmd.error(`invalid argument "${value}" for "${flag}" flag: expected true or false`);
        continue;
      }
      out.push(a);
      if (opt?.required && eq < 0 && i + 1 < args.length) out.push(args[++i]!); // the option's value, whatever it looks like
      continue;
    }
    const sub = sawArgument ? undefined : subcommandNamed(cmd, a);
    out.push(a);
    if (sub) {
      cmd = sub;
      continue;
    }
    sawArgument = true;
    if (passesThrough(cmd)) return out.concat(args.slice(i + 1));
  }
  return out;
}
