/**
 * A small Dockerfile reader and the invariants the keywatch image must keep.
 * Every check returns a list of problems (empty when the invariant holds), so a failing test
 * says what is wrong and where, and the same checks can be run on deliberately broken copies.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
export const readRepoFile = (rel: string): string => readFileSync(path.join(REPO_ROOT, rel), 'utf8');

export interface Instruction {
  keyword: string;
  args: string;
  /** 1-based line where the instruction starts */
  line: number;
}

export interface Stage {
  index: number;
  image: string;
  name: string | null;
  instructions: Instruction[];
}

/**
 * Instructions with continuation lines joined. As Docker does, comment lines and blank lines
 * inside a continuation are dropped; a trailing backslash continues the instruction.
 */
export function parseDockerfile(text: string): Instruction[] {
  const lines = text.split(/\r?\n/);
  const out: Instruction[] = [];
  let buf: string | null = null;
  let start = 0;
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i];
    const trimmed = raw.trim();
    if (buf === null) {
      if (trimmed === '' || trimmed.startsWith('#')) continue;
      buf = '';
      start = i + 1;
    } else if (trimmed === '' || trimmed.startsWith('#')) {
      continue;
    }
    if (/\\\s*$/.test(raw)) {
      buf += raw.replace(/\\\s*$/, '') + ' ';
      continue;
    }
    buf += raw;
    const m = /^\s*([A-Za-z]+)(?:\s+([\s\S]*))?$/.exec(buf);
    if (!m) throw new Error(`Dockerfile line ${start}: cannot read an instruction in "${buf.trim()}"`);
    out.push({ keyword: m[1].toUpperCase(), args: (m[2] ?? '').replace(/\s+/g, ' ').trim(), line: start });
    buf = null;
  }
  if (buf !== null) throw new Error(`Dockerfile line ${start}: a continuation runs past the end of the file`);
  return out;
}

export function splitStages(instructions: Instruction[]): Stage[] {
  const stages: Stage[] = [];
  for (const ins of instructions) {
    if (ins.keyword === 'FROM') {
      const tokens = ins.args.split(' ').filter((t) => !t.startsWith('--'));
      const asAt = tokens.findIndex((t) => t.toUpperCase() === 'AS');
      stages.push({
        index: stages.length,
        image: tokens[0] ?? '',
        name: asAt >= 0 ? (tokens[asAt + 1] ?? null) : null,
        instructions: [],
      });
    } else if (stages.length > 0) {
      stages[stages.length - 1].instructions.push(ins);
    }
  }
  return stages;
}

/** Split on whitespace outside quotes; quotes are removed, backslash escapes the next character. */
export function shellWords(s: string): string[] {
  const words: string[] = [];
  let cur = '';
  let quote: '"' | "'" | null = null;
  let inWord = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (quote) {
      if (c === quote) quote = null;
      else if (c === '\\' && quote === '"' && i + 1 < s.length) cur += s[++i];
      else cur += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      inWord = true;
    } else if (c === '\\' && i + 1 < s.length) {
      cur += s[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(cur);
      cur = '';
      inWord = false;
    } else {
      cur += c;
      inWord = true;
    }
  }
  if (inWord) words.push(cur);
  return words;
}

/** ENV and ARG as name/value pairs (value null for `ARG NAME`). Handles `ENV A=1 B="x y"` and legacy `ENV A x y`. */
export function variables(ins: Instruction): { name: string; value: string | null }[] {
  const words = shellWords(ins.args);
  if (ins.keyword === 'ENV' && words.length > 0 && !words[0].includes('=')) {
    return [{ name: words[0], value: words.slice(1).join(' ') }];
  }
  return words.map((w) => {
    const eq = w.indexOf('=');
    return eq < 0 ? { name: w, value: null } : { name: w.slice(0, eq), value: w.slice(eq + 1) };
  });
}

/** The exec-form argv of CMD/ENTRYPOINT/HEALTHCHECK CMD, or null for shell form. Throws on broken JSON. */
export function execForm(args: string): string[] | null {
  if (!args.startsWith('[')) return null;
  const parsed: unknown = JSON.parse(args);
  if (!Array.isArray(parsed) || !parsed.every((x) => typeof x === 'string')) {
    throw new Error(`exec form must be a JSON array of strings: ${args}`);
  }
  return parsed as string[];
}

/** Flags and command of a HEALTHCHECK instruction. */
export function healthcheck(ins: Instruction): { flags: string[]; none: boolean; command: string } {
  const flags: string[] = [];
  let rest = ins.args;
  for (let m = /^(--[a-z-]+=\S+)\s*/.exec(rest); m; m = /^(--[a-z-]+=\S+)\s*/.exec(rest)) {
    flags.push(m[1]);
    rest = rest.slice(m[0].length);
  }
  if (/^NONE$/i.test(rest)) return { flags, none: true, command: '' };
  const m = /^CMD\s+([\s\S]+)$/i.exec(rest);
  if (!m) throw new Error(`line ${ins.line}: HEALTHCHECK needs CMD or NONE, got "${rest}"`);
  return { flags, none: false, command: m[1] };
}

export const at = (ins: Instruction) => `line ${ins.line} (${ins.keyword} ${ins.args.slice(0, 60)})`;

const SECRET_NAME = /PASSW(OR)?D|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|ACCESS_?KEY|CREDENTIAL|SESSION_?KEY|WEBHOOK_URL/i;
const AWS_KEY_VALUE = /\b(AKIA|ASIA)[0-9A-Z]{16}\b/;

/** The checks, each returning problems. */
export function checkDockerfile(text: string) {
  const instructions = parseDockerfile(text);
  const stages = splitStages(instructions);
  const final = stages[stages.length - 1];
  const finalOf = (keyword: string) => (final ? final.instructions.filter((i) => i.keyword === keyword) : []);
  const lastOf = (keyword: string) => finalOf(keyword).pop();

  return {
    instructions,
    stages,
    final,

    stageImages(): string[] {
      const problems: string[] = [];
      if (stages.length < 2) problems.push(`expected a multi-stage build (>= 2 FROM), found ${stages.length} FROM`);
      if (final && !/^node:22[^\s@]*-slim(@sha256:[0-9a-f]{64})?$/.test(final.image)) {
        problems.push(`the final stage must run on node:22*-slim, found "${final.image}"`);
      }
      for (const s of stages) {
        if (!/^node:22[^\s@]*-slim(@sha256:[0-9a-f]{64})?$/.test(s.image) && !stages.some((o) => o.name === s.image)) {
          problems.push(`stage ${s.index} (${s.name ?? 'unnamed'}) uses "${s.image}", not Node 22 slim: the native addon is built for one Node ABI`);
        }
      }
      return problems;
    },

    user(): string[] {
      const user = lastOf('USER');
      if (!user) return ['the final stage has no USER: it would run as root'];
      const name = user.args.split(':')[0].trim();
      if (name === 'root' || /^0+$/.test(name)) return [`${at(user)}: runs as root`];
      const problems: string[] = [];
      // Instructions after USER that would need root make no sense in the runtime image.
      const after = final.instructions.slice(final.instructions.indexOf(user) + 1);
      for (const ins of after) if (ins.keyword === 'RUN') problems.push(`${at(ins)}: RUN after USER in the final stage`);
      return problems;
    },

    healthcheck(): string[] {
      const ins = lastOf('HEALTHCHECK');
      if (!ins) return ['the final stage has no HEALTHCHECK'];
      const hc = healthcheck(ins);
      if (hc.none) return [`${at(ins)}: HEALTHCHECK NONE`];
      const problems: string[] = [];
      if (!hc.command.includes('/api/health')) problems.push(`${at(ins)}: the HEALTHCHECK does not call /api/health`);
      if (!/127\.0\.0\.1|localhost/.test(hc.command)) problems.push(`${at(ins)}: the HEALTHCHECK should call the local server`);
      if (/\bcurl\b|\bwget\b/.test(hc.command)) problems.push(`${at(ins)}: curl/wget are not in the slim image; use node`);
      if (!/PORT/.test(hc.command)) problems.push(`${at(ins)}: the HEALTHCHECK ignores PORT`);
      return problems;
    },

    secrets(): string[] {
      const problems: string[] = [];
      for (const ins of instructions) {
        if (ins.keyword === 'ENV' || ins.keyword === 'ARG') {
          for (const v of variables(ins)) {
            if (!SECRET_NAME.test(v.name)) continue;
            if (ins.keyword === 'ARG') problems.push(`${at(ins)}: ARG ${v.name} looks like a secret (build args stay in the image history)`);
            else if (v.value !== null && v.value !== '') problems.push(`${at(ins)}: ENV ${v.name} bakes a secret-looking value into the image`);
          }
        }
        if (AWS_KEY_VALUE.test(ins.args)) problems.push(`${at(ins)}: contains what looks like an AWS access key id`);
        if ((ins.keyword === 'COPY' || ins.keyword === 'ADD') && /(^|[\s/"])\.env\b/.test(ins.args)) {
          problems.push(`${at(ins)}: copies a .env file into the image`);
        }
      }
      return problems;
    },

    prune(): string[] {
      const runs = instructions.filter((i) => i.keyword === 'RUN').map((i) => i.args);
      return runs.some((r) => /npm\s+prune\b[^&;|]*--omit=dev|npm\s+ci\b[^&;|]*--omit=dev/.test(r))
        ? []
        : ['no `npm prune --omit=dev` (or `npm ci --omit=dev`): dev dependencies would ship in the image'];
    },

    /** better-sqlite3's native addon must be built: npm 11 honours allowScripts, --ignore-scripts needs a rebuild. */
    nativeBuild(): string[] {
      const build = stages.slice(0, -1).flatMap((s) => s.instructions).filter((i) => i.keyword === 'RUN');
      const text = build.map((i) => i.args).join('\n');
      const problems: string[] = [];
      for (const tool of ['python3', 'make', 'g++']) if (!text.includes(tool)) problems.push(`the build stage does not install ${tool} (node-gyp fallback for better-sqlite3)`);
      const ci = build.find((i) => /\bnpm ci\b/.test(i.args));
      if (!ci) problems.push('the build stage does not run npm ci (the lock file must decide the versions)');
      const rebuild = /npm rebuild better-sqlite3/.test(text);
      if (ci && /--ignore-scripts/.test(ci.args) && !rebuild) problems.push(`${at(ci)}: npm ci --ignore-scripts without \`npm rebuild better-sqlite3\`: the native addon would be missing`);
      if (!rebuild && !/npm (i|install) -g npm@11/.test(text)) problems.push('neither npm 11 (allowScripts) nor `npm rebuild better-sqlite3`: the native addon may not be built');
      return problems;
    },

    volume(): string[] {
      const vols = finalOf('VOLUME').flatMap((i) => execForm(i.args) ?? i.args.split(' '));
      const problems = vols.includes('/data') ? [] : [`VOLUME does not include /data (found: ${vols.join(', ') || 'none'})`];
      const env = finalOf('ENV').flatMap(variables);
      const db = env.find((v) => v.name === 'KEYWATCH_DB_PATH');
      if (!db || !db.value?.startsWith('/data/')) problems.push(`KEYWATCH_DB_PATH must point into /data, found ${db?.value ?? 'nothing'}`);
      const nodeEnv = env.find((v) => v.name === 'NODE_ENV');
      if (nodeEnv?.value !== 'production') problems.push(`NODE_ENV must be production in the image, found ${nodeEnv?.value ?? 'nothing'}`);
      return problems;
    },

    cmd(): string[] {
      const ins = lastOf('CMD');
      if (!ins) return ['the final stage has no CMD'];
      let argv: string[] | null;
      try {
        argv = execForm(ins.args);
      } catch (e) {
        return [`${at(ins)}: not valid JSON, so Docker would run it through a shell: ${(e as Error).message}`];
      }
      if (!argv) return [`${at(ins)}: shell form: /bin/sh would be PID 1 and SIGTERM would not reach node`];
      const problems: string[] = [];
      if (argv[0] !== 'node' || !argv.includes('dist/main.js')) problems.push(`${at(ins)}: expected ["node", "dist/main.js"], got ${JSON.stringify(argv)}`);
      const ep = lastOf('ENTRYPOINT');
      if (ep && !execForm(ep.args)) problems.push(`${at(ep)}: ENTRYPOINT in shell form would swallow signals`);
      return problems;
    },

    /** Exec forms that are not valid JSON are silently run through a shell by Docker. */
    jsonForms(): string[] {
      const problems: string[] = [];
      for (const ins of instructions) {
        let args = ins.args;
        if (ins.keyword === 'HEALTHCHECK') args = healthcheck(ins).command;
        else if (!['CMD', 'ENTRYPOINT', 'RUN', 'VOLUME', 'SHELL', 'COPY', 'ADD'].includes(ins.keyword)) continue;
        if (!args.startsWith('[')) continue;
        try {
          execForm(args);
        } catch (e) {
          problems.push(`${at(ins)}: ${(e as Error).message}`);
        }
      }
      return problems;
    },

    expose(): string[] {
      const ports = finalOf('EXPOSE').flatMap((i) => i.args.split(' ')).map((p) => p.replace(/\/tcp$/, ''));
      return ports.includes('8000') ? [] : [`EXPOSE 8000 missing (found: ${ports.join(', ') || 'none'})`];
    },

    /** The runtime stage takes only package.json, node_modules, dist and migrations. */
    runtimeContents(): string[] {
      const allowed = new Set(['package.json', 'node_modules', 'dist', 'migrations']);
      const problems: string[] = [];
      for (const ins of [...finalOf('COPY'), ...finalOf('ADD')]) {
        if (ins.keyword === 'ADD') {
          problems.push(`${at(ins)}: use COPY, not ADD`);
          continue;
        }
        for (const src of copySources(ins)) {
          const base = src.replace(/^\/?app\//, '').replace(/^\.\//, '').replace(/\/+$/, '');
          if (!allowed.has(base)) problems.push(`${at(ins)}: the runtime stage copies "${src}"; only ${[...allowed].join(', ')} belong there`);
        }
      }
      for (const need of ['node_modules', 'dist', 'migrations', 'package.json']) {
        const copied = [...finalOf('COPY')].some((i) => copySources(i).some((s) => s.replace(/^\/?app\//, '').replace(/\/+$/, '') === need));
        if (!copied) problems.push(`the runtime stage does not copy ${need}`);
      }
      return problems;
    },
  };
}

/** Sources of a COPY (all words but flags and the destination). */
export function copySources(ins: Instruction): string[] {
  const json = ins.args.replace(/^(--\S+\s+)*/, '');
  const words = json.startsWith('[') ? (execForm(json) ?? []) : shellWords(json);
  return words.filter((w) => !w.startsWith('--')).slice(0, -1);
}

export function copyFromContext(ins: Instruction): boolean {
  return ins.keyword === 'COPY' && !/(^|\s)--from=/.test(ins.args);
}

/* ---------------- .dockerignore ---------------- */

function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*') {
      if (glob[i + 1] === '*') {
        i++;
        if (glob[i + 1] === '/') {
          i++;
          re += '(?:.*/)?';
        } else {
          re += '.*';
        }
      } else {
        re += '[^/]*';
      }
    } else if (c === '?') {
      re += '[^/]';
    } else if ('\\^$.|+()[]{}'.includes(c)) {
      re += '\\' + c;
    } else {
      re += c;
    }
  }
  return new RegExp(`^${re}$`);
}

/**
 * Docker's .dockerignore semantics, simplified: patterns are relative to the context root
 * (a leading or trailing slash is ignored), `*` and `?` stay inside one path segment, `**`
 * spans segments, a pattern that matches a directory excludes everything under it, `!`
 * re-includes, and the last matching line wins.
 */
export function dockerignore(text: string): (file: string) => boolean {
  const rules = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => {
      const negate = l.startsWith('!');
      const pattern = path.posix.normalize((negate ? l.slice(1) : l).trim()).replace(/^\/+/, '').replace(/\/+$/, '');
      return { negate, re: globToRegExp(pattern) };
    });
  return (file: string) => {
    const parts = file.split('/');
    const candidates = parts.map((_, i) => parts.slice(0, i + 1).join('/'));
    let excluded = false;
    for (const r of rules) if (candidates.some((c) => r.re.test(c))) excluded = !r.negate;
    return excluded;
  };
}
